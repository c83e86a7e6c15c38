package dev.outbox.forward;

import dev.outbox.drain.BatchCounts;
import java.util.concurrent.atomic.LongAdder;

/** The forwarder's running counts. Thread-safe. */
final class Counters {
  final LongAdder eventsSent = new LongAdder();
  final LongAdder requests = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder splits = new LongAdder();
  final LongAdder rejections = new LongAdder();
  final LongAdder pauses = new LongAdder();

  /** Adds another's counts to these. */
  void add(Counters other) {
    eventsSent.add(other.eventsSent.sum());
    requests.add(other.requests.sum());
    retries.add(other.retries.sum());
    splits.add(other.splits.sum());
    rejections.add(other.rejections.sum());
    pauses.add(other.pauses.sum());
  }

  /** Reports these counts to a drainer's batch report. */
  void reportTo(BatchCounts counts) {
    ForwarderStats stats = snapshot();
    counts.add("eventsSent", stats.eventsSent());
    counts.add("requests", stats.requests());
    counts.add("retries", stats.retries());
    counts.add("splits", stats.splits());
    counts.add("rejections", stats.rejections());
    counts.add("pauses", stats.pauses());
  }

  ForwarderStats snapshot() {
    return new ForwarderStats(
        eventsSent.sum(),
        requests.sum(),
        retries.sum(),
        splits.sum(),
        rejections.sum(),
        pauses.sum());
  }
}
