package dev.outbox.faults;

import java.time.Duration;

/** Waits for a condition with a generous deadline that only bounds the wait; never a timing. */
final class Await {
  private Await() {}

  /** A condition that may read the database. */
  @FunctionalInterface
  interface Condition {
    boolean holds() throws Exception;
  }

  /** Polls until {@code condition} holds; fails naming {@code what} after {@code limit}. */
  static void until(Duration limit, String what, Condition condition) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up after " + limit + " waiting until " + what);
      }
      Thread.sleep(50);
    }
  }
}
