package org.fhirimport.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The token is valid but lacks the scope or the project role. Status {@code PERMISSION_DENIED}. */
public class PermissionDeniedException extends FhirImportException {
  private static final long serialVersionUID = 1L;

  /** Made by {@link FhirImportException#of}; the status is {@code PERMISSION_DENIED}. */
  protected PermissionDeniedException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
