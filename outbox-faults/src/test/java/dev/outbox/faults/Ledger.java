package dev.outbox.faults;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the producers committed, rolled back or could not tell, and how often handlers ran each job,
 * all by job number. Thread-safe.
 */
final class Ledger {
  private final Set<Long> committed = ConcurrentHashMap.newKeySet();
  private final Set<Long> rolledBack = ConcurrentHashMap.newKeySet();
  private final Set<Long> inDoubt = ConcurrentHashMap.newKeySet();
  private final Map<Long, AtomicInteger> handled = new ConcurrentHashMap<>();

  void committed(Collection<Long> numbers) {
    committed.addAll(numbers);
  }

  void rolledBack(Collection<Long> numbers) {
    rolledBack.addAll(numbers);
  }

  /** The commit was sent but its answer was lost with the connection: it may or may not hold. */
  void inDoubt(Collection<Long> numbers) {
    inDoubt.addAll(numbers);
  }

  void handled(long number) {
    handled.computeIfAbsent(number, n -> new AtomicInteger()).incrementAndGet();
  }

  long committedCount() {
    return committed.size();
  }

  long rolledBackCount() {
    return rolledBack.size();
  }

  long inDoubtCount() {
    return inDoubt.size();
  }

  /** Distinct jobs handled. */
  long handledCount() {
    return handled.size();
  }

  /** Committed jobs never handled. */
  long lost() {
    return committed.stream().filter(n -> !handled.containsKey(n)).count();
  }

  /** Handler runs beyond the first, over all jobs. */
  long duplicated() {
    return handled.values().stream().mapToLong(count -> count.get() - 1).sum();
  }

  /** Jobs whose transaction rolled back and that a handler ran all the same. */
  long handledAfterRollback() {
    return rolledBack.stream().filter(handled::containsKey).count();
  }

  /** Handled jobs no producer committed, nor could have (not even in doubt). */
  long handledButNeverCommitted() {
    return handled.keySet().stream()
        .filter(n -> !committed.contains(n) && !inDoubt.contains(n))
        .count();
  }

  /** In-doubt commits that did hold: their jobs were handled. */
  long inDoubtHandled() {
    return inDoubt.stream().filter(handled::containsKey).count();
  }
}
