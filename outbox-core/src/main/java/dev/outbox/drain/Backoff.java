package dev.outbox.drain;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: after the n-th failed attempt a job waits {@code initial ×
 * multiplier^(n-1)}, capped at {@code max}, then spread by ±{@code jitter} (a fraction) so that
 * jobs that failed together do not come back together.
 *
 * @param initial the wait after the first failure
 * @param max the longest wait
 * @param multiplier growth per attempt, at least 1
 * @param jitter fraction between 0 and 1
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {

  /** 1 s, doubling, at most 1 h, ±20 %. */
  public static final Backoff DEFAULT =
      new Backoff(Duration.ofSeconds(1), Duration.ofHours(1), 2.0, 0.2);

  public Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 <= initial <= max, was initial=" + initial + " max=" + max);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("backoff multiplier must be >= 1, was " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("backoff jitter must be between 0 and 1, was " + jitter);
    }
  }

  /** A fixed wait with no growth and no jitter. */
  public static Backoff fixed(Duration wait) {
    return new Backoff(wait, wait, 1.0, 0.0);
  }

  /** Exponential from {@code initial} to {@code max}, doubling, ±20 % jitter. */
  public static Backoff exponential(Duration initial, Duration max) {
    return new Backoff(initial, max, 2.0, 0.2);
  }

  /** The wait after the given failed attempt (1-based). */
  public Duration delayAfter(int attempt, RandomGenerator random) {
    double base = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
    double capped = Math.min(base, max.toMillis());
    double spread = jitter == 0 ? 1.0 : 1.0 + jitter * (2 * random.nextDouble() - 1);
    return Duration.ofMillis(Math.max(0, Math.round(capped * spread)));
  }
}
