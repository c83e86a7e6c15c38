package dev.outbox.deadletter;

import io.vavr.control.Option;
import java.util.Objects;

/**
 * Which dead letters to list or count: optionally one kind and one reason, a page of {@code limit}
 * rows with ids greater than {@code afterId} (keyset paging: pass the last id of a page to get the
 * next).
 *
 * @param kind only this kind
 * @param reason only this reason
 * @param afterId only ids greater than this (0 for the first page)
 * @param limit at most this many rows (1 to 10,000; ignored by count)
 */
public record DeadLetterQuery(
    Option<String> kind, Option<DeadLetterReason> reason, long afterId, int limit) {

  /** The page size of {@link #all()}. */
  public static final int DEFAULT_LIMIT = 100;

  public DeadLetterQuery {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
    if (limit < 1 || limit > 10_000) {
      throw new IllegalArgumentException("limit must be between 1 and 10000, was " + limit);
    }
  }

  /** The first page of every dead letter, {@value #DEFAULT_LIMIT} rows. */
  public static DeadLetterQuery all() {
    return new DeadLetterQuery(Option.none(), Option.none(), 0, DEFAULT_LIMIT);
  }

  /** Only this kind. */
  public DeadLetterQuery withKind(String kind) {
    return new DeadLetterQuery(
        Option.of(Objects.requireNonNull(kind, "kind")), reason, afterId, limit);
  }

  /** Only this reason. */
  public DeadLetterQuery withReason(DeadLetterReason reason) {
    return new DeadLetterQuery(
        kind, Option.of(Objects.requireNonNull(reason, "reason")), afterId, limit);
  }

  /** The page after the given id. */
  public DeadLetterQuery after(long id) {
    return new DeadLetterQuery(kind, reason, id, limit);
  }

  /** Pages of this many rows. */
  public DeadLetterQuery withLimit(int limit) {
    return new DeadLetterQuery(kind, reason, afterId, limit);
  }
}
