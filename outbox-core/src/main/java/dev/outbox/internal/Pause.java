package dev.outbox.internal;

import dev.outbox.drain.BatchCounts;
import dev.outbox.drain.Outcome;
import dev.outbox.job.Job;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pause of forwarding after a misconfiguration, shared by the drainers of one forwarder.
 * Thread-safe. Internal: not API.
 */
public final class Pause {
  private long untilNanos;
  private boolean on;

  /** What is left of the pause, or zero. */
  public synchronized Duration left() {
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
  public synchronized Duration start(Duration length) {
    if (!on) {
      on = true;
      untilNanos = System.nanoTime() + length.toNanos();
    }
    return left();
  }

  /**
   * While a pause is on: every job handed back for when it ends, without using an attempt and
   * counted as {@code pauses}; the forwarder sends nothing. Null when no pause is on.
   */
  public <J> Map<Long, Outcome> holdBack(List<Job<J>> jobs, BatchCounts counts) {
    Duration paused = left();
    if (paused.isZero()) {
      return null;
    }
    Map<Long, Outcome> outcomes = new LinkedHashMap<>();
    jobs.forEach(job -> outcomes.put(job.id(), Outcome.retryAfter(paused)));
    counts.add("pauses", jobs.size());
    return outcomes;
  }
}
