package dev.outbox.jdbc.internal;

import java.util.function.LongSupplier;

/**
 * Where the next claim of one store starts scanning the job table's {@code (run_at, id)} index.
 * Thread-safe. Internal.
 *
 * <p>Each completion deletes rows, and their index entries at the front of the index are dead until
 * vacuum removes them; the rows leased and still running sit there too (a lease does not move a
 * row, see {@link SqlDialect#dueAndUnleased}). A claim that always starts at the front walks every
 * one of them (a 1M backlog drained at under half the speed of a 100k one). So while claims come
 * back full, the next one starts just after the last row the previous one took: everything before
 * that point was claimed, locked by another claimer, or not claimable when the scan passed it.
 *
 * <p>Rows can become claimable behind that point later: a job enqueued with a run-at in the past or
 * committed by a long transaction, an ordering key's next job once its head is done, a job released
 * or whose lease ran out. The scan therefore starts from the front again as soon as a claim from
 * the watermark comes back short (the caller then claims the rest from the front at once). While
 * claims stay full, one claim every {@link #RESCAN_NANOS} sweeps from the front, so such a job
 * waits at most that long for a busy drainer: one claimer only, while the others go on from the
 * watermark (with all four drainer threads walking the dead front of a 1M backlog twice a second,
 * it drained at 34,600 jobs/s; with one sweeper, at 60,100). A sweep that comes back full before
 * reaching the watermark has found a run of jobs behind it, and the next sweep goes on from where
 * it stopped, again one claimer at a time, until a sweep reaches the watermark or comes back short.
 * When claims come back short (a drainer keeping up) every claim scans from the front, as without a
 * watermark.
 *
 * <p>Ordering keys do not mix with a watermark: a key's job that a claim passes over (its head was
 * still running) keeps every later job of that key unclaimable, so once the watermark has passed
 * one job of each busy key, a claim from it walks the rest of the table finding nothing (measured:
 * an ordered drain with 4 drainers fell to a third of its speed). So while claims return jobs with
 * ordering keys, and for {@link #RESCAN_NANOS} after the last one, every claim starts from the
 * front.
 */
final class ClaimCursor {
  /** How long a busy drainer may go on from its watermark before it sweeps from the front again. */
  static final long RESCAN_NANOS = 500_000_000L;

  /**
   * Where one claim starts.
   *
   * @param from the claim takes rows after this position, or from the front if null
   * @param sweep whether the claim sweeps behind the watermark (at most one at a time does)
   * @param ordered whether claims took jobs with ordering keys less than {@link #RESCAN_NANOS} ago
   *     (then {@code from} is null)
   */
  record Start(Claim.Position from, boolean sweep, boolean ordered) {
    static final Start FRONT = new Start(null, false, false);
    static final Start FRONT_ORDERED = new Start(null, false, true);

    Start(Claim.Position from, boolean sweep) {
      this(from, sweep, false);
    }
  }

  private final LongSupplier clock;
  private Claim.Position watermark;
  private Claim.Position sweepFrom;
  private boolean sweeping;
  private long lastFrontScan;
  private long lastOrderedClaim;

  ClaimCursor() {
    this(System::nanoTime);
  }

  /** With a clock in nanoseconds, for tests. */
  ClaimCursor(LongSupplier clock) {
    this.clock = clock;
    this.lastFrontScan = clock.getAsLong();
    this.lastOrderedClaim = lastFrontScan - RESCAN_NANOS;
  }

  /** Where the next claim starts; hand it back to {@link #claimed} with what the claim took. */
  synchronized Start start() {
    long now = clock.getAsLong();
    boolean ordered = now - lastOrderedClaim < RESCAN_NANOS;
    if (ordered) {
      forgetWatermark();
    }
    if (watermark == null) {
      lastFrontScan = now;
      return ordered ? Start.FRONT_ORDERED : Start.FRONT;
    }
    if (!sweeping && sweepFrom != null) {
      sweeping = true;
      return new Start(sweepFrom, true);
    }
    if (!sweeping && now - lastFrontScan >= RESCAN_NANOS) {
      sweeping = true;
      lastFrontScan = now;
      return new Start(null, true);
    }
    return new Start(watermark, false);
  }

  /** Makes the next claim start from the front, now: the watermark ran out. */
  synchronized void restartFromFront() {
    forgetWatermark();
    lastFrontScan = clock.getAsLong();
  }

  /** Records what a claim that started at {@code start} took. */
  synchronized void claimed(Start start, Claim claim) {
    if (start.sweep()) {
      sweeping = false;
      sweepFrom = null;
    }
    if (claim.rows().stream().anyMatch(row -> row.orderingKey() != null)) {
      lastOrderedClaim = clock.getAsLong();
      forgetWatermark();
      return;
    }
    if (claim.exhausted()) {
      if (start.from() == null || start.from().equals(watermark)) {
        forgetWatermark();
      }
    } else if (start.sweep() && watermark != null && claim.last().compareTo(watermark) < 0) {
      sweepFrom = claim.last();
    } else {
      watermark = Claim.Position.max(watermark, claim.last());
    }
  }

  /** Records that a claim that started at {@code start} failed: another claimer may sweep. */
  synchronized void failed(Start start) {
    if (start.sweep()) {
      sweeping = false;
    }
  }

  private void forgetWatermark() {
    watermark = null;
    sweepFrom = null;
  }
}
