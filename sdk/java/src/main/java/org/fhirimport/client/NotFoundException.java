package org.fhirimport.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** No such project, import, file, FHIR server or schema (or not visible to the caller). Status {@code NOT_FOUND}. */
public class NotFoundException extends FhirImportException {
  private static final long serialVersionUID = 1L;

  /** Made by {@link FhirImportException#of}; the status is {@code NOT_FOUND}. */
  protected NotFoundException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
