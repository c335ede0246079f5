package org.fhirimport.client;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * How {@link ImportsApi#watchImport(String, WatchOptions)} follows an import.
 *
 * @param afterSequence events after this sequence only (0: a snapshot first, then every event)
 * @param maxReconnects how many times in a row to reconnect after UNAVAILABLE
 * @param backoff the pause before the first reconnect, doubled each time up to 5 s
 * @param timeout a deadline for the whole watch (null: none)
 * @param onReconnect told of each reconnect: the error that broke the stream, the attempt (1, 2, …)
 */
public record WatchOptions(
    long afterSequence,
    int maxReconnects,
    Duration backoff,
    Duration timeout,
    BiConsumer<FhirImportException, Integer> onReconnect) {
  /** From the start, up to 10 reconnects in a row from 100 ms, no deadline. */
  public static final WatchOptions DEFAULTS =
      new WatchOptions(0, 10, Duration.ofMillis(100), null, (error, attempt) -> {});

  /** Checks the numbers. */
  public WatchOptions {
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(onReconnect, "onReconnect");
    if (afterSequence < 0 || maxReconnects < 0 || backoff.isNegative()) {
      throw new IllegalArgumentException("afterSequence, maxReconnects and backoff must not be negative");
    }
  }

  /** These options from {@code afterSequence} on. */
  public WatchOptions withAfterSequence(long afterSequence) {
    return new WatchOptions(afterSequence, maxReconnects, backoff, timeout, onReconnect);
  }

  /** These options with other reconnect limits. */
  public WatchOptions withReconnects(int maxReconnects, Duration backoff) {
    return new WatchOptions(afterSequence, maxReconnects, backoff, timeout, onReconnect);
  }

  /** These options with a deadline for the whole watch. */
  public WatchOptions withTimeout(Duration timeout) {
    return new WatchOptions(afterSequence, maxReconnects, backoff, timeout, onReconnect);
  }

  /** These options, telling {@code onReconnect} of each reconnect. */
  public WatchOptions withOnReconnect(BiConsumer<FhirImportException, Integer> onReconnect) {
    return new WatchOptions(afterSequence, maxReconnects, backoff, timeout, onReconnect);
  }

  /** The pause before reconnect number {@code failures} (0 for the first). */
  Duration pause(int failures) {
    return new RetryPolicy(maxReconnects, backoff).pause(failures);
  }
}
