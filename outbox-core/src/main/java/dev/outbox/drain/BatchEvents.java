package dev.outbox.drain;

import dev.outbox.internal.ClaimedRow;
import dev.outbox.internal.OutboxStore.Burial;
import dev.outbox.internal.OutboxStore.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The listener events of one batch. Outcomes to be written wait here until their statement has run.
 * Without listeners every method returns at once and nothing is kept. Not thread-safe: used by the
 * batch's thread, then by the thread that writes its outcomes.
 */
final class BatchEvents {
  private final Listeners listeners;
  private final String drainer;
  private final List<DrainEvent> retries = new ArrayList<>();
  private final List<DrainEvent> snoozes = new ArrayList<>();
  private final List<DrainEvent> burials = new ArrayList<>();

  BatchEvents(Listeners listeners, String drainer) {
    this.listeners = listeners;
    this.drainer = drainer;
  }

  void handled(ClaimedRow row, HandlerRun run, Outcome outcome, long nowNanos) {
    if (listeners.active()) {
      Duration lag = Duration.ofMillis(Math.max(0, run.startedMillis() - row.runAtMillis()));
      listeners.publish(new DrainEvent.Handled(drainer, ref(row), outcome, run.ran(nowNanos), lag));
    }
  }

  void retried(ClaimedRow row, Retry retry, Throwable cause) {
    if (listeners.active()) {
      retries.add(new DrainEvent.Retried(drainer, ref(row), cause, retry.delay()));
    }
  }

  void snoozed(ClaimedRow row, Retry snooze) {
    if (listeners.active()) {
      snoozes.add(new DrainEvent.Snoozed(drainer, ref(row), snooze.delay()));
    }
  }

  void buried(ClaimedRow row, Burial burial) {
    if (listeners.active()) {
      String error = burial.error() == null ? "" : burial.error();
      burials.add(new DrainEvent.DeadLettered(drainer, ref(row), burial.reason(), error));
    }
  }

  /** Publishes at once what a transactional handler's own commit already wrote. */
  void committed(ClaimedRow row, Outcome outcome) {
    if (!listeners.active()) {
      return;
    }
    if (outcome instanceof Outcome.RetryLater later) {
      listeners.publish(new DrainEvent.Snoozed(drainer, ref(row), later.delay()));
    } else if (outcome instanceof Outcome.DeadLetterNow now) {
      listeners.publish(new DrainEvent.DeadLettered(drainer, ref(row), now.reason(), now.why()));
    }
  }

  void retriesWritten() {
    flush(retries);
  }

  void snoozesWritten() {
    flush(snoozes);
  }

  void burialsWritten() {
    flush(burials);
  }

  void fenced(int outcomes) {
    if (outcomes > 0) {
      listeners.publish(new DrainEvent.OutcomesFenced(drainer, outcomes));
    }
  }

  void writeFailed(RuntimeException error) {
    listeners.publish(new DrainEvent.StoreFailed(drainer, DrainEvent.Write.OUTCOME, error));
  }

  private void flush(List<DrainEvent> events) {
    events.forEach(listeners::publish);
    events.clear();
  }

  private static DrainEvent.JobRef ref(ClaimedRow row) {
    return new DrainEvent.JobRef(row.id(), row.kind(), row.attempts());
  }
}
