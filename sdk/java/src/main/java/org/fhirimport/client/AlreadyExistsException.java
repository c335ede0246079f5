package org.fhirimport.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** What the call would create exists already. Status {@code ALREADY_EXISTS}. */
public class AlreadyExistsException extends FhirImportException {
  private static final long serialVersionUID = 1L;

  /** Made by {@link FhirImportException#of}; the status is {@code ALREADY_EXISTS}. */
  protected AlreadyExistsException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
