package dev.outbox.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.internal.ClaimedRow;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClaimCursorTest {
  private final AtomicLong now = new AtomicLong();
  private final ClaimCursor cursor = new ClaimCursor(now::get);

  private static Claim full(long runAt, long id) {
    return new Claim(List.of(), new Claim.Position(runAt, id), false);
  }

  private static Claim exhausted() {
    return new Claim(List.of(), null, true);
  }

  private static final ClaimCursor.Start FRONT = ClaimCursor.Start.FRONT;

  @Test
  void aFirstClaimStartsFromTheFront() {
    assertEquals(FRONT, cursor.start());
  }

  @Test
  void aFullClaimMakesTheNextOneStartAfterItsLastRow() {
    cursor.claimed(cursor.start(), full(10, 7));
    assertEquals(new Claim.Position(10, 7), cursor.start().from());
  }

  @Test
  void concurrentFullClaimsLeaveTheWatermarkAtTheFurthestOfThem() {
    ClaimCursor.Start start = cursor.start();
    cursor.claimed(start, full(10, 9));
    cursor.claimed(start, full(10, 7));
    assertEquals(new Claim.Position(10, 9), cursor.start().from());
  }

  @Test
  void aShortClaimMakesTheNextOneStartFromTheFront() {
    cursor.claimed(cursor.start(), full(10, 7));
    ClaimCursor.Start start = cursor.start();
    cursor.claimed(start, exhausted());
    assertEquals(FRONT, cursor.start());
  }

  @Test
  void onceTheRescanIntervalHasPassedOneClaimerSweepsFromTheFrontWhileTheOthersGoOn() {
    cursor.claimed(cursor.start(), full(10, 7));
    now.addAndGet(ClaimCursor.RESCAN_NANOS - 1);
    assertEquals(new Claim.Position(10, 7), cursor.start().from());
    now.addAndGet(1);

    ClaimCursor.Start sweep = cursor.start();
    assertNull(sweep.from());
    assertTrue(sweep.sweep());
    assertEquals(new ClaimCursor.Start(new Claim.Position(10, 7), false), cursor.start());
    assertEquals(new ClaimCursor.Start(new Claim.Position(10, 7), false), cursor.start());

    // The sweep found the front empty up to the watermark's neighbourhood and passed it.
    cursor.claimed(sweep, full(10, 12));
    assertEquals(new ClaimCursor.Start(new Claim.Position(10, 12), false), cursor.start());
    now.addAndGet(ClaimCursor.RESCAN_NANOS - 1);
    assertFalse(cursor.start().sweep(), "the next sweep is an interval after this one");
  }

  @Test
  void aSweepThatComesBackFullBehindTheWatermarkGoesOnFromWhereItStoppedOneClaimerAtATime() {
    cursor.claimed(cursor.start(), full(10, 7));
    now.addAndGet(ClaimCursor.RESCAN_NANOS);
    ClaimCursor.Start sweep = cursor.start();
    cursor.claimed(sweep, full(3, 2));

    ClaimCursor.Start next = cursor.start();
    assertEquals(new ClaimCursor.Start(new Claim.Position(3, 2), true), next);
    assertEquals(new ClaimCursor.Start(new Claim.Position(10, 7), false), cursor.start());
    cursor.claimed(next, full(5, 1));
    ClaimCursor.Start third = cursor.start();
    assertEquals(new ClaimCursor.Start(new Claim.Position(5, 1), true), third);

    // Reaching past the watermark ends the sweep and moves the watermark on.
    cursor.claimed(third, full(11, 1));
    assertEquals(new ClaimCursor.Start(new Claim.Position(11, 1), false), cursor.start());
  }

  @Test
  void aSweepThatFailedLetsTheNextClaimerSweepInstead() {
    cursor.claimed(cursor.start(), full(10, 7));
    now.addAndGet(ClaimCursor.RESCAN_NANOS);
    ClaimCursor.Start sweep = cursor.start();
    assertTrue(sweep.sweep());
    cursor.failed(sweep);
    now.addAndGet(ClaimCursor.RESCAN_NANOS);
    assertTrue(cursor.start().sweep());
  }

  @Test
  void aShortSweepFromTheFrontMakesEveryClaimStartFromTheFront() {
    cursor.claimed(cursor.start(), full(10, 7));
    now.addAndGet(ClaimCursor.RESCAN_NANOS);
    cursor.claimed(cursor.start(), exhausted());
    assertEquals(FRONT, cursor.start());
  }

  @Test
  void aShortClaimFromAnOutdatedWatermarkLeavesTheNewerOneInPlace() {
    ClaimCursor.Start old = new ClaimCursor.Start(new Claim.Position(1, 1), false);
    cursor.claimed(FRONT, full(1, 1));
    cursor.claimed(old, full(20, 30));
    cursor.claimed(old, exhausted());
    assertEquals(new Claim.Position(20, 30), cursor.start().from());
  }

  @Test
  void aClaimThatTookJobsWithOrderingKeysMakesClaimsStartFromTheFrontAsOrderedClaimsForAWhile() {
    cursor.claimed(cursor.start(), full(10, 7));
    ClaimedRow keyed = new ClaimedRow(8, "e8", "kind", "{}", "key", null, 0, 0, 1, 42);
    cursor.claimed(
        new ClaimCursor.Start(new Claim.Position(10, 7), false),
        new Claim(List.of(keyed), new Claim.Position(10, 8), false));
    assertEquals(ClaimCursor.Start.FRONT_ORDERED, cursor.start());
    cursor.claimed(FRONT, full(10, 20));
    now.addAndGet(ClaimCursor.RESCAN_NANOS - 1);
    assertEquals(
        ClaimCursor.Start.FRONT_ORDERED,
        cursor.start(),
        "a job of a key was claimed less than the interval ago");
    cursor.claimed(FRONT, full(10, 30));
    now.addAndGet(1);
    ClaimCursor.Start after = cursor.start();
    assertEquals(new Claim.Position(10, 30), after.from());
    assertFalse(after.ordered(), "no job of a key was claimed for the interval");
  }
}
