package dev.outbox.drain;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extends the leases of one batch while its handlers run: every third of a lease, one fenced
 * statement for the whole batch, so that a live drainer keeps its jobs however slow their handlers,
 * and a dead one stops renewing and loses them after one lease. Not thread-safe.
 */
final class LeaseRenewal {
  private static final Logger log = LoggerFactory.getLogger(Drainer.class);

  private final Drainer<?> drainer;
  private final long leaseToken;
  private final List<Long> ids;
  private final long everyNanos;
  private long nextNanos;

  LeaseRenewal(Drainer<?> drainer, long leaseToken, List<Long> ids) {
    this.drainer = drainer;
    this.leaseToken = leaseToken;
    this.ids = ids;
    this.everyNanos = Math.max(1, drainer.settings().lease().toNanos() / 3);
    this.nextNanos = System.nanoTime() + everyNanos;
  }

  /** Renews the batch's leases if a third of a lease has passed since the claim or last renewal. */
  void renewIfDue(long nowNanos) {
    if (ids.isEmpty() || nowNanos - nextNanos < 0) {
      return;
    }
    nextNanos = nowNanos + everyNanos;
    try {
      int renewed = drainer.store().renew(leaseToken, ids, drainer.settings().lease());
      if (renewed < ids.size()) {
        log.warn(
            "{} of {} leases of a batch could not be renewed: they ran out first and another"
                + " drainer took the jobs; their outcomes will be refused",
            ids.size() - renewed,
            ids.size());
      }
    } catch (RuntimeException e) {
      log.warn("renewing the leases of a batch failed; will try again: {}", e.toString());
    }
  }
}
