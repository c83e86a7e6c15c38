package dev.outbox.drain;

/**
 * Where a batch handler counts what it did for one batch (events sent, requests made, …); the
 * counts appear in that batch's {@link DrainReport#counts()} and in the drainer's totals.
 */
@FunctionalInterface
public interface BatchCounts {
  /** Counts nothing. */
  BatchCounts NONE = (name, delta) -> {};

  /** Adds {@code delta} to the count called {@code name}. Thread-safe. */
  void add(String name, long delta);
}
