package dev.outbox.jdbc.testing;

import java.util.concurrent.CountDownLatch;

/** What a handler that ignores its interrupt does. */
public final class Stubborn {
  private Stubborn() {}

  /** Waits for {@code latch}, swallowing every interrupt on the way. */
  public static void await(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException ignored) {
        // a handler that ignores its interrupt
      }
    }
  }
}
