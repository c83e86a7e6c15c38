package dev.outbox.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

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
    List<Thread> workers = new ArrayList<>();
    List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread worker =
          new Thread(
              () -> {
                try {
                  for (long i = 0; System.nanoTime() < end && failures.isEmpty(); i++) {
                    units.addAndGet(operation.run(thread, i));
                  }
                } catch (Exception e) {
                  failures.add(e);
                }
              },
              "timed-" + t);
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    return new Timed(units.get(), seconds);
  }
}
