package org.fhirimport.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The server is draining, restarting or unreachable; reads and watches are retried for you. Status {@code UNAVAILABLE}. */
public class UnavailableException extends FhirImportException {
  private static final long serialVersionUID = 1L;

  /** Made by {@link FhirImportException#of}; the status is {@code UNAVAILABLE}. */
  protected UnavailableException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
