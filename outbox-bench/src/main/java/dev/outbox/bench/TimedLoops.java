package dev.outbox.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Runs the same operation on {@code threads} threads for a fixed time and tells how many units of
 * work completed in how long. A failing operation stops the run and is rethrown.
 */
final class TimedLoops {
  private TimedLoops() {}

  /** One operation, such as one transaction; returns how many units it did (rows, jobs). */
  @FunctionalInterface
  interface Operation {
    long run(int thread, long iteration) throws Exception;
  }

  /** What a timed run did. */
  record Timed(long units, double seconds) {
    double perSecond() {
      return units / seconds;
    }
  }

  /** Runs {@code operation} on {@code threads} threads for {@code duration}. */
  static Timed run(int threads, Duration duration, Operation operation) throws Exception {
    AtomicLong units = new AtomicLong();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    onThreads(
        threads,
        "timed",
        (thread, failed) -> {
          for (long i = 0; System.nanoTime() < end && !failed.getAsBoolean(); i++) {
            units.addAndGet(operation.run(thread, i));
          }
        });
    return new Timed(units.get(), (System.nanoTime() - start) / 1e9);
  }

  /** What each thread of {@link #onThreads} runs. */
  @FunctionalInterface
  interface Worker {
    /** Runs thread number {@code thread}; it should stop early once {@code failed} says so. */
    void run(int thread, BooleanSupplier failed) throws Exception;
  }

  /**
   * Runs {@code worker} on {@code threads} new threads (named {@code name} and their number) and
   * waits for all of them; if one threw, the others are told to stop and the first failure is
   * rethrown.
   */
  static void onThreads(int threads, String name, Worker worker) throws Exception {
    List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread one =
          new Thread(
              () -> {
                try {
                  worker.run(thread, () -> !failures.isEmpty());
                } catch (Exception e) {
                  failures.add(e);
                }
              },
              name + "-" + t);
      workers.add(one);
      one.start();
    }
    for (Thread one : workers) {
      one.join();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }
}
