package dev.outbox.faults;

import dev.outbox.OutboxException;
import dev.outbox.internal.ClaimedRow;
import dev.outbox.internal.ForwardingStore;
import dev.outbox.internal.OutboxStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The real JDBC store with a process crash at a chosen point of the drain cycle: the {@code
 * crashAt}-th time the point is reached, the process halts. With {@link
 * CrashPoint#SESSIONS_LOST_BEFORE_COMPLETION} the process lives on, but its sessions are ended by
 * the database before three of its completions. Journals completions that failed or were fenced, so
 * that the test can tell which repeated runs they explain.
 */
final class CrashingStore extends ForwardingStore {
  private final Journal journal;
  private final CrashPoint point;
  private final int crashAt;
  private final IntSupplier loseSessions;
  private final AtomicInteger reached = new AtomicInteger();

  CrashingStore(
      OutboxStore store, Journal journal, CrashPoint point, int crashAt, IntSupplier loseSessions) {
    super(store);
    this.journal = journal;
    this.point = point;
    this.crashAt = crashAt;
    this.loseSessions = loseSessions;
  }

  /** Halts the process if this is the planned occurrence of {@code here}. */
  void reached(CrashPoint here) {
    if (here == point && point.halts() && reached.incrementAndGet() == crashAt) {
      journal.crashing(here);
      Runtime.getRuntime().halt(CrashPoint.EXIT_STATUS);
    }
  }

  /** On occurrences crashAt, crashAt + 3 and crashAt + 6 of a completion. */
  private void maybeLoseSessions() {
    if (point != CrashPoint.SESSIONS_LOST_BEFORE_COMPLETION) {
      return;
    }
    int after = reached.incrementAndGet() - crashAt;
    if (after >= 0 && after % 3 == 0 && after < 9) {
      journal.sessionsLost(loseSessions.getAsInt());
    }
  }

  @Override
  public List<ClaimedRow> claim(int limit, Duration lease) {
    reached(CrashPoint.BEFORE_CLAIM);
    List<ClaimedRow> claimed = store.claim(limit, lease);
    if (!claimed.isEmpty()) {
      reached(CrashPoint.AFTER_CLAIM);
    }
    return claimed;
  }

  @Override
  public int complete(long leaseToken, List<Long> ids) {
    reached(CrashPoint.BEFORE_COMPLETION);
    maybeLoseSessions();
    int applied;
    try {
      applied = store.complete(leaseToken, ids);
    } catch (OutboxException e) {
      journal.unconfirmed(ids);
      throw e;
    }
    if (applied < ids.size()) {
      journal.fenced(ids);
    }
    return applied;
  }

  @Override
  public List<String> startupWarnings() {
    return List.of(); // the autovacuum warning is not what these processes are about
  }
}
