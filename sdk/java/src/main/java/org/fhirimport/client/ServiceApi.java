package org.fhirimport.client;

import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractBlockingStub;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What every service wrapper shares: one method per RPC taking and returning
 * the generated messages, failing with {@link FhirImportException}s; reads
 * retried after UNAVAILABLE per the client's {@link RetryPolicy}; a deadline
 * per call with {@link #withTimeout}; and the generated blocking stub itself
 * with {@link #stub()}.
 *
 * @param <S> the generated blocking stub
 * @param <A> the wrapper itself
 */
public abstract class ServiceApi<S extends AbstractBlockingStub<S>, A extends ServiceApi<S, A>> {
  /** Reads: safe to send again, whatever happened to the first attempt. */
  private static final Pattern READ = Pattern.compile("^(Get|List|Preview)");

  final S stub;
  final ManagedChannel channel;
  final RetryPolicy retry;
  final Duration timeout;

  ServiceApi(S stub, ManagedChannel channel, RetryPolicy retry, Duration timeout) {
    this.stub = Objects.requireNonNull(stub);
    this.channel = channel;
    this.retry = Objects.requireNonNull(retry);
    this.timeout = timeout;
  }

  abstract A copy(Duration timeout);

  /**
   * The same wrapper with a deadline on every call: each call (its retries
   * included) must end within {@code timeout} of its start, else it fails with
   * {@link DeadlineExceededException}.
   */
  public A withTimeout(Duration timeout) {
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("the timeout must be positive");
    }
    return copy(timeout);
  }

  /**
   * The generated blocking stub: the bearer token and advance-access header
   * are sent, and the wrapper's timeout applies from now, but calls are not
   * retried and fail with plain {@link StatusRuntimeException}s (type them with
   * {@link FhirImportException#from}).
   */
  public S stub() {
    return timeout == null ? stub : stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Whether the RPC named {@code method} is retried after UNAVAILABLE. */
  static boolean isRead(String method) {
    return READ.matcher(method).find();
  }

  /** Calls {@code rpc} (the RPC named {@code method}), typing its failure and retrying reads. */
  final <T> T call(String method, Function<S, T> rpc) {
    Deadline deadline =
        timeout == null ? null : Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
    S target = deadline == null ? stub : stub.withDeadline(deadline);
    int retries = isRead(method) ? retry.retries() : 0;
    for (int attempt = 0; ; attempt++) {
      try {
        return rpc.apply(target);
      } catch (StatusRuntimeException e) {
        FhirImportException error = FhirImportException.from(e);
        Duration pause = retry.pause(attempt);
        if (error.code() != Status.Code.UNAVAILABLE
            || attempt >= retries
            || (deadline != null && deadline.timeRemaining(TimeUnit.NANOSECONDS) < pause.toNanos())) {
          throw error;
        }
        sleep(pause, error);
        reconnectNow(channel);
      }
    }
  }

  /** Sleeps; an interrupt ends the call with CANCELLED (the interrupt flag kept). */
  static void sleep(Duration pause, FhirImportException during) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      FhirImportException cancelled =
          FhirImportException.from(
              Status.CANCELLED.withDescription("interrupted").withCause(e).asRuntimeException());
      cancelled.addSuppressed(during);
      throw cancelled;
    }
  }

  /** Makes the channel try to connect at once instead of after its own backoff. */
  static void reconnectNow(ManagedChannel channel) {
    if (channel != null) {
      channel.resetConnectBackoff();
    }
  }
}
