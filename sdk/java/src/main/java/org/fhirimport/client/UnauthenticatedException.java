package org.fhirimport.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The bearer token is missing, expired, revoked or not the server's, or the token source failed (then the cause says why). Status {@code UNAUTHENTICATED}. */
public class UnauthenticatedException extends FhirImportException {
  private static final long serialVersionUID = 1L;

  /** Made by {@link FhirImportException#of}; the status is {@code UNAUTHENTICATED}. */
  protected UnauthenticatedException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
