package dev.outbox.nats;

import java.time.Duration;

/**
 * A pause of forwarding after a misconfiguration (a subject no stream stores), shared by the
 * drainers of one forwarder.
 */
final class Pause {
  private long untilNanos;
  private boolean on;

  /** What is left of the pause, or zero. */
  synchronized Duration left() {
    if (!on) {
      return Duration.ZERO;
    }
    long left = untilNanos - System.nanoTime();
    if (left <= 0) {
      on = false;
      return Duration.ZERO;
    }
    return Duration.ofNanos(left);
  }

  /** Starts a pause of {@code length} unless one is on; returns what is left of it. */
  synchronized Duration start(Duration length) {
    if (!on) {
      on = true;
      untilNanos = System.nanoTime() + length.toNanos();
    }
    return left();
  }
}
