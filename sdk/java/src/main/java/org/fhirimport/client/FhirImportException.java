package org.fhirimport.client;

import com.google.protobuf.Any;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Duration;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A failed call: its status {@link #code()}, the server's message
 * ({@link #serverMessage()}), the trailers and the {@code google.rpc.Status}
 * details the server sent ({@link #details()}). Every call of the SDK, the
 * service wrappers ({@link FhirImportClient#projects()} and the others)
 * included, throws a subclass named after the status for the statuses the API
 * documents, and this class itself for any other. It is a
 * {@link StatusRuntimeException}, so code that catches those keeps working;
 * {@link #from(Throwable)} types an exception from a raw generated stub.
 */
public class FhirImportException extends StatusRuntimeException {
  private static final long serialVersionUID = 1L;

  private static final Metadata.Key<byte[]> STATUS_DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);
  private static final String RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";

  /** The status and trailers as received; use {@link #from(Throwable)} to make one. */
  protected FhirImportException(Status status, Metadata trailers) {
    super(status, trailers);
  }

  /**
   * {@code error} as the typed exception of its status: the same object when it
   * is one already; the status and trailers of a {@link StatusRuntimeException}
   * or {@link io.grpc.StatusException} (anywhere in its causes); {@code UNKNOWN}
   * with {@code error} as the cause for anything else.
   */
  public static FhirImportException from(Throwable error) {
    if (error instanceof FhirImportException typed) {
      return typed;
    }
    Status status = Status.fromThrowable(error);
    if (status.getCode() == Status.Code.UNKNOWN && status.getCause() == null) {
      status = status.withCause(error);
    }
    Metadata trailers = Status.trailersFromThrowable(error);
    return of(status, trailers == null ? new Metadata() : trailers);
  }

  /** The typed exception for {@code status} and {@code trailers}. */
  public static FhirImportException of(Status status, Metadata trailers) {
    return switch (status.getCode()) {
      case UNAUTHENTICATED -> new UnauthenticatedException(status, trailers);
      case PERMISSION_DENIED -> new PermissionDeniedException(status, trailers);
      case NOT_FOUND -> new NotFoundException(status, trailers);
      case FAILED_PRECONDITION -> new FailedPreconditionException(status, trailers);
      case INVALID_ARGUMENT -> new InvalidArgumentException(status, trailers);
      case ALREADY_EXISTS -> new AlreadyExistsException(status, trailers);
      case RESOURCE_EXHAUSTED -> new ResourceExhaustedException(status, trailers);
      case UNAVAILABLE -> new UnavailableException(status, trailers);
      case DEADLINE_EXCEEDED -> new DeadlineExceededException(status, trailers);
      case CANCELLED -> new CanceledException(status, trailers);
      case OUT_OF_RANGE -> new OutOfRangeException(status, trailers);
      default -> new FhirImportException(status, trailers);
    };
  }

  /** The call's status code. */
  public Status.Code code() {
    return getStatus().getCode();
  }

  /** The server's message (the status description), without the code; empty when none. */
  public String serverMessage() {
    String description = getStatus().getDescription();
    return description == null ? "" : description;
  }

  /** The trailers the call ended with (empty when the failure was local). */
  public Metadata trailers() {
    Metadata trailers = getTrailers();
    return trailers == null ? new Metadata() : trailers;
  }

  /**
   * The details of the server's {@code google.rpc.Status} (the
   * {@code grpc-status-details-bin} trailer), e.g. a {@code google.rpc.RetryInfo};
   * unpack them with the message classes of {@code proto-google-common-protos}.
   * Empty when the server sent none.
   */
  public List<Any> details() {
    byte[] encoded = trailers().get(STATUS_DETAILS);
    if (encoded == null) {
      return List.of();
    }
    // google.rpc.Status: code = 1, message = 2, repeated Any details = 3.
    List<Any> details = new ArrayList<>();
    try {
      CodedInputStream input = CodedInputStream.newInstance(encoded);
      for (int tag = input.readTag(); tag != 0; tag = input.readTag()) {
        if (tag == (3 << 3 | 2)) {
          details.add(Any.parseFrom(input.readBytes()));
        } else if (!input.skipField(tag)) {
          break;
        }
      }
    } catch (java.io.IOException e) {
      return List.of();
    }
    return Collections.unmodifiableList(details);
  }

  /**
   * How long the server asks to wait before trying again (its
   * {@code google.rpc.RetryInfo}, sent with RESOURCE_EXHAUSTED), when it said.
   */
  public Optional<java.time.Duration> retryDelay() {
    for (Any detail : details()) {
      if (!detail.getTypeUrl().equals(RETRY_INFO)) {
        continue;
      }
      try {
        // google.rpc.RetryInfo: google.protobuf.Duration retry_delay = 1.
        CodedInputStream input = CodedInputStream.newInstance(detail.getValue().toByteArray());
        for (int tag = input.readTag(); tag != 0; tag = input.readTag()) {
          if (tag == (1 << 3 | 2)) {
            Duration delay = Duration.parseFrom(input.readBytes());
            return Optional.of(java.time.Duration.ofSeconds(delay.getSeconds(), delay.getNanos()));
          } else if (!input.skipField(tag)) {
            break;
          }
        }
      } catch (java.io.IOException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
