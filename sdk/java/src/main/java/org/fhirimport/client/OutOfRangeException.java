package org.fhirimport.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** A page token or position past the end (e.g. a watch's after_sequence past the import's latest event). Status {@code OUT_OF_RANGE}. */
public class OutOfRangeException extends FhirImportException {
  private static final long serialVersionUID = 1L;

  /** Made by {@link FhirImportException#of}; the status is {@code OUT_OF_RANGE}. */
  protected OutOfRangeException(Status status, Metadata trailers) {
    super(status, trailers);
  }
}
