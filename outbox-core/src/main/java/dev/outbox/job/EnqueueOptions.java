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

  private static final EnqueueOptions DEFAULTS =
      new EnqueueOptions(Duration.ZERO, Option.none(), Option.none(), Option.none());

  public EnqueueOptions {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(runAt, "runAt");
    Objects.requireNonNull(orderingKey, "orderingKey");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    orderingKey.forEach(key -> checkKey("orderingKey", key));
    idempotencyKey.forEach(key -> checkKey("idempotencyKey", key));
  }

  /** Run as soon as possible, no keys. */
  public static EnqueueOptions defaults() {
    return DEFAULTS;
  }

  /** Runs no sooner than {@code delay} after the enqueue, measured by the database clock. */
  public EnqueueOptions withDelay(Duration delay) {
    return new EnqueueOptions(delay, runAt, orderingKey, idempotencyKey);
  }

  /** Runs no sooner than this instant. */
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
   * While a job with this key is pending, in flight or retrying, another enqueue stores nothing.
   */
  public EnqueueOptions withIdempotencyKey(String key) {
    return new EnqueueOptions(
        delay, runAt, orderingKey, Option.of(Objects.requireNonNull(key, "key")));
  }

  private static void checkKey(String name, String key) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          name + " must be 1 to " + MAX_KEY_LENGTH + " characters, was " + key.length());
    }
  }
}
