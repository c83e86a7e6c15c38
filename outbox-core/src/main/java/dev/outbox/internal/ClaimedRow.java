package dev.outbox.internal;

/**
 * A job row as a claim returned it, not yet parsed. Internal: not API.
 *
 * @param eventId the job's globally unique id
 * @param runAtMillis when the job became due (epoch milliseconds), for the lag to its start
 * @param attempts the attempt count after this claim (1 on the first claim)
 * @param leaseToken the fencing token every later write must match
 */
public record ClaimedRow(
    long id,
    String eventId,
    String kind,
    String payload,
    String orderingKey,
    String idempotencyKey,
    long createdAtMillis,
    long runAtMillis,
    int attempts,
    long leaseToken) {}
