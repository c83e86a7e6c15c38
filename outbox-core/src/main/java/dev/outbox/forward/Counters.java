package dev.outbox.forward;

import java.util.concurrent.atomic.LongAdder;

/** The forwarder's running counts. Thread-safe. */
final class Counters {
  final LongAdder eventsSent = new LongAdder();
  final LongAdder requests = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder splits = new LongAdder();
  final LongAdder rejections = new LongAdder();
  final LongAdder pauses = new LongAdder();

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
