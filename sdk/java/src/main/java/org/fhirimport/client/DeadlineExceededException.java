package org.fhirimport.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The call's deadline passed. Status {@code DEADLINE_EXCEEDED}. */
public class DeadlineExceededException extends FhirImportException {
  private static final long serialVersionUID = 1L;

  /** Made by {@link FhirImportException#of}; the status is {@code DEADLINE_EXCEEDED}. */
  protected DeadlineExceededException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
