package org.fhirimport.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How reads ({@code Get…}, {@code List…}, {@code Preview…}) are sent again after
 * UNAVAILABLE (a draining or restarting server, a dropped connection): up to
 * {@code retries} times, pausing {@code backoff} before the first retry and
 * twice as long before each next one, up to 5 s. Calls that change something
 * are never sent again: the first attempt may have been done.
 *
 * @param retries attempts after the first; 0 turns retrying off
 * @param backoff the pause before the first retry
 */
public record RetryPolicy(int retries, Duration backoff) {
  /** Three retries, from 100 ms. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(100));

  /** No retries. */
  public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO);

  private static final Duration MAX_PAUSE = Duration.ofSeconds(5);

  /** Checks the numbers. */
  public RetryPolicy {
    Objects.requireNonNull(backoff, "backoff");
    if (retries < 0 || backoff.isNegative()) {
      throw new IllegalArgumentException("retries and backoff must not be negative");
    }
  }

  /** The pause before retry number {@code attempt} (0 for the first). */
  Duration pause(int attempt) {
    Duration pause = backoff.multipliedBy(1L << Math.min(attempt, 20));
    return pause.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause;
  }
}
