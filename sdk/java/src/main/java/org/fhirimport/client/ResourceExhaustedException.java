package org.fhirimport.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** A quota or rate limit; try again later ({@link #retryDelay()} says when, if the server did). Status {@code RESOURCE_EXHAUSTED}. */
public class ResourceExhaustedException extends FhirImportException {
  private static final long serialVersionUID = 1L;

  /** Made by {@link FhirImportException#of}; the status is {@code RESOURCE_EXHAUSTED}. */
  protected ResourceExhaustedException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
