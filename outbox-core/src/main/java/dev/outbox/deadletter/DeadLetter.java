package dev.outbox.deadletter;

import io.vavr.control.Option;
import java.time.Instant;

/**
 * A job that was given up on, as stored in the dead-letter table. The raw payload is kept as text
 * because it may not parse.
 *
 * @param id the job's original id; a requeue brings it back under the same id
 * @param eventId the job's globally unique id, kept here and brought back by a requeue
 * @param kind the stored kind
 * @param payload the stored JSON text, exactly as it was
 * @param orderingKey the job's ordering key
 * @param idempotencyKey the job's idempotency key
 * @param createdAt when the job was first enqueued
 * @param diedAt when it was moved here, by the database clock
 * @param attempts how many times it was claimed
 * @param reason why it was moved here
 * @param error the last error text, bounded in size
 */
public record DeadLetter(
    long id,
    String eventId,
    String kind,
    String payload,
    Option<String> orderingKey,
    Option<String> idempotencyKey,
    Instant createdAt,
    Instant diedAt,
    int attempts,
    DeadLetterReason reason,
    String error) {}
