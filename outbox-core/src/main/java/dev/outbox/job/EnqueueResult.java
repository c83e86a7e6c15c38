package dev.outbox.job;

/** What an enqueue did: stored a new job, or found one with the same idempotency key. */
public sealed interface EnqueueResult {

  /** True when a new row was written. */
  boolean stored();

  /** A new job row was written in the caller's transaction. */
  record Stored(long id) implements EnqueueResult {
    @Override
    public boolean stored() {
      return true;
    }
  }

  /** A job with this idempotency key already exists; nothing was written. */
  record Deduplicated(String idempotencyKey) implements EnqueueResult {
    @Override
    public boolean stored() {
      return false;
    }
  }
}
