package dev.outbox.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * How often each job of one run was handled, indexed by the job's sequence number. Tells when the
 * last distinct job ran, how many were never handled (lost) and how many extra times some were
 * (duplicated). Optionally keeps when each job was first handled, for latencies. Thread-safe.
 */
final class Tally {
  private final int jobs;
  private final AtomicIntegerArray counts;
  private final AtomicInteger distinct = new AtomicInteger();
  private final AtomicInteger outOfRange = new AtomicInteger();
  private final CountDownLatch allHandled = new CountDownLatch(1);
  private final long[] firstHandledNanos;
  private volatile long lastNanos;

  private Tally(int jobs, boolean keepTimes) {
    this.jobs = jobs;
    this.counts = new AtomicIntegerArray(jobs);
    this.firstHandledNanos = keepTimes ? new long[jobs] : null;
    if (jobs == 0) {
      allHandled.countDown();
    }
  }

  /** A tally for {@code jobs} jobs numbered 0 to jobs - 1. */
  static Tally of(int jobs) {
    return new Tally(jobs, false);
  }

  /** A tally that also keeps when each job was first handled. */
  static Tally withTimes(int jobs) {
    return new Tally(jobs, true);
  }

  /** Called by every contestant's handler, first thing. */
  void handled(long seq) {
    long now = System.nanoTime();
    if (seq < 0 || seq >= jobs) {
      outOfRange.incrementAndGet();
      return;
    }
    int index = (int) seq;
    if (counts.getAndIncrement(index) == 0) {
      if (firstHandledNanos != null) {
        firstHandledNanos[index] = now;
      }
      if (distinct.incrementAndGet() == jobs) {
        lastNanos = now;
        allHandled.countDown();
      }
    }
  }

  /** Waits until every job was handled at least once; false on timeout. */
  boolean await(Duration timeout) throws InterruptedException {
    return allHandled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** When the last distinct job was handled ({@link System#nanoTime()}). */
  long lastNanos() {
    return lastNanos;
  }

  /** When job {@code seq} was first handled, or 0 if never (needs {@link #withTimes}). */
  long firstHandledNanos(int seq) {
    return firstHandledNanos[seq];
  }

  int jobs() {
    return jobs;
  }

  int handledDistinct() {
    return distinct.get();
  }

  /** Jobs never handled. */
  int lost() {
    return jobs - distinct.get();
  }

  /** Extra handlings beyond the first, plus handlings of numbers that were never enqueued. */
  int duplicated() {
    int extra = outOfRange.get();
    for (int i = 0; i < jobs; i++) {
      extra += Math.max(0, counts.get(i) - 1);
    }
    return extra;
  }
}
