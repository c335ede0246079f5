package org.fhirimport.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The call was cancelled (by the caller, or the thread was interrupted). Status {@code CANCELLED}. */
public class CanceledException extends FhirImportException {
  private static final long serialVersionUID = 1L;

  /** Made by {@link FhirImportException#of}; the status is {@code CANCELLED}. */
  protected CanceledException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
