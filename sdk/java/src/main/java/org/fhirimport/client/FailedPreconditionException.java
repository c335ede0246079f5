package org.fhirimport.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The request is well formed but the resource is not in a state to allow it (e.g. cancelling a finished import). Status {@code FAILED_PRECONDITION}. */
public class FailedPreconditionException extends FhirImportException {
  private static final long serialVersionUID = 1L;

  /** Made by {@link FhirImportException#of}; the status is {@code FAILED_PRECONDITION}. */
  protected FailedPreconditionException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
