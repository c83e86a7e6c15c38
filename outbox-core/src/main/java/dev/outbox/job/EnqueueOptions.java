package dev.outbox.job;

import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How a job is enqueued: when it may run, which ordering key it joins, which idempotency key
 * deduplicates it. Immutable; start from {@link #defaults()} and chain the {@code with…} methods:
 *
 * <pre>{@code
 * outbox.enqueue(tx, job, EnqueueOptions.defaults().withDelay(Duration.ofMinutes(5))
 *     .withOrderingKey("order-" + orderId));
 * }</pre>
 *
 * @param delay run no sooner than this long after the enqueueing statement, by the database clock
 * @param runAt run no sooner than this instant (wins over {@code delay} when set)
 * @param orderingKey jobs with the same key run one at a time, in enqueue order
 * @param idempotencyKey while a job with this key exists, enqueueing another stores nothing
 */
public record EnqueueOptions(
    Duration delay,
    Option<Instant> runAt,
    Option<String> orderingKey,
    Option<String> idempotencyKey) {

  /** The longest ordering or idempotency key the schema stores. */
  public static final int MAX_KEY_LENGTH = 200;

  /** The longest delay: 1,000 years, far beyond any schedule and far inside the columns' range. */
  public static final Duration MAX_DELAY = Duration.ofDays(365_250);

  /** The earliest run-at: the epoch (any earlier instant is simply due now; say so instead). */
  public static final Instant MIN_RUN_AT = Instant.EPOCH;

  /** The latest run-at: the end of year 9999 UTC, as far as SQL dates reach. */
  public static final Instant MAX_RUN_AT = Instant.parse("9999-12-31T23:59:59.999Z");

  private static final EnqueueOptions DEFAULTS =
      new EnqueueOptions(Duration.ZERO, Option.none(), Option.none(), Option.none());

  public EnqueueOptions {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(runAt, "runAt");
    Objects.requireNonNull(orderingKey, "orderingKey");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    if (delay.isNegative() || delay.compareTo(MAX_DELAY) > 0) {
      throw new IllegalArgumentException(
          "delay must be between 0 and " + MAX_DELAY + " (MAX_DELAY), was " + delay);
    }
    runAt.forEach(
        at -> {
          if (at.isBefore(MIN_RUN_AT) || at.isAfter(MAX_RUN_AT)) {
            throw new IllegalArgumentException(
                "runAt must be between " + MIN_RUN_AT + " and " + MAX_RUN_AT + ", was " + at);
          }
        });
    orderingKey.forEach(key -> checkKey("orderingKey", key));
    idempotencyKey.forEach(key -> checkKey("idempotencyKey", key));
  }

  /** Run as soon as possible, no keys. */
  public static EnqueueOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Runs no sooner than {@code delay} after the enqueue, measured by the database clock.
   *
   * @throws IllegalArgumentException if negative or over {@link #MAX_DELAY}
   */
  public EnqueueOptions withDelay(Duration delay) {
    return new EnqueueOptions(delay, runAt, orderingKey, idempotencyKey);
  }

  /**
   * Runs no sooner than this instant.
   *
   * @throws IllegalArgumentException outside {@link #MIN_RUN_AT} to {@link #MAX_RUN_AT}
   */
  public EnqueueOptions withRunAt(Instant runAt) {
    return new EnqueueOptions(
        delay, Option.of(Objects.requireNonNull(runAt, "runAt")), orderingKey, idempotencyKey);
  }

  /** Joins an ordering key: jobs with the same key run one at a time, in enqueue order. */
  public EnqueueOptions withOrderingKey(String key) {
    return new EnqueueOptions(
        delay, runAt, Option.of(Objects.requireNonNull(key, "key")), idempotencyKey);
  }

  /**
   * While a job with this key is pending, in flight or retrying, another enqueue stores nothing. A
   * forwarder sends an event id derived from the key and the event name (see the README, "Event
   * ids"): name the business fact ({@code order-4711-placed}), not the attempt.
   */
  public EnqueueOptions withIdempotencyKey(String key) {
    return new EnqueueOptions(
        delay, runAt, orderingKey, Option.of(Objects.requireNonNull(key, "key")));
  }

  /**
   * Refuses a key the tables would not store as it is: empty or too long, or holding a NUL (which
   * PostgreSQL refuses inside the caller's transaction, aborting it) or half of a surrogate pair
   * (which drivers store as {@code ?}, so that two keys would meet).
   */
  private static void checkKey(String name, String key) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          name + " must be 1 to " + MAX_KEY_LENGTH + " characters, was " + key.length());
    }
    int bad = Text.unstorableAt(key);
    if (bad >= 0) {
      throw new IllegalArgumentException(
          name + " holds " + Text.describe(key, bad) + "; the tables cannot store it as it is");
    }
  }
}
