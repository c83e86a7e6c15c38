package dev.outbox.job;

import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * A claimed job as a handler sees it: the parsed payload with the row's bookkeeping.
 *
 * @param id the job's id, ascending in enqueue order; unique within its table only
 * @param eventId the job's globally unique id (a UUID in text form), made at enqueue and kept
 *     through retries, dead letter and requeue; what forwarders send (see the README, "Event ids")
 * @param kind the stored kind
 * @param payload the parsed leaf of the sealed root; {@code switch} over it
 * @param attempt 1 on the first run, 2 on the first retry, …
 * @param createdAt when the job was enqueued, by the database clock
 * @param orderingKey jobs sharing it run one at a time in enqueue order
 * @param idempotencyKey the key it was enqueued with, if any
 * @param <J> the sealed job root
 */
public record Job<J>(
    long id,
    String eventId,
    String kind,
    J payload,
    int attempt,
    Instant createdAt,
    Option<String> orderingKey,
    Option<String> idempotencyKey) {
  public Job {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(orderingKey, "orderingKey");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
