package org.fhirimport.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The request itself is wrong; the message says which field and why. Status {@code INVALID_ARGUMENT}. */
public class InvalidArgumentException extends FhirImportException {
  private static final long serialVersionUID = 1L;

  /** Made by {@link FhirImportException#of}; the status is {@code INVALID_ARGUMENT}. */
  protected InvalidArgumentException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
