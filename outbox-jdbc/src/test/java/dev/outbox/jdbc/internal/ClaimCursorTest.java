package dev.outbox.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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

  @Test
  void aFirstClaimStartsFromTheFront() {
    assertNull(cursor.start());
  }

  @Test
  void aFullClaimMakesTheNextOneStartAfterItsLastRow() {
    cursor.claimed(cursor.start(), full(10, 7));
    assertEquals(new Claim.Position(10, 7), cursor.start());
  }

  @Test
  void concurrentFullClaimsLeaveTheWatermarkAtTheFurthestOfThem() {
    Claim.Position from = cursor.start();
    cursor.claimed(from, full(10, 9));
    cursor.claimed(from, full(10, 7));
    assertEquals(new Claim.Position(10, 9), cursor.start());
  }

  @Test
  void aShortClaimMakesTheNextOneStartFromTheFront() {
    cursor.claimed(cursor.start(), full(10, 7));
    Claim.Position from = cursor.start();
    cursor.claimed(from, exhausted());
    assertNull(cursor.start());
  }

  @Test
  void aBusyCursorStartsFromTheFrontAgainOnceTheRescanIntervalHasPassed() {
    cursor.claimed(cursor.start(), full(10, 7));
    now.addAndGet(ClaimCursor.RESCAN_NANOS - 1);
    assertEquals(new Claim.Position(10, 7), cursor.start());
    now.addAndGet(1);
    assertNull(cursor.start());
    // Only the claimer that was told to rescan does; the others go on from where it stops.
    cursor.claimed(null, full(3, 2));
    assertEquals(new Claim.Position(3, 2), cursor.start());
  }

  @Test
  void aShortClaimFromAnOutdatedWatermarkLeavesTheNewerOneInPlace() {
    Claim.Position old = new Claim.Position(1, 1);
    cursor.claimed(null, full(1, 1));
    cursor.claimed(old, full(20, 30));
    cursor.claimed(old, exhausted());
    assertEquals(new Claim.Position(20, 30), cursor.start());
  }

  @Test
  void aClaimThatTookJobsWithOrderingKeysMakesClaimsStartFromTheFrontForAWhile() {
    cursor.claimed(cursor.start(), full(10, 7));
    ClaimedRow keyed = new ClaimedRow(8, "kind", "{}", "key", null, 0, 1, 42);
    cursor.claimed(
        new Claim.Position(10, 7), new Claim(List.of(keyed), new Claim.Position(10, 8), false));
    assertNull(cursor.start());
    cursor.claimed(null, full(10, 20));
    now.addAndGet(ClaimCursor.RESCAN_NANOS - 1);
    assertNull(cursor.start(), "a job of a key was claimed less than the interval ago");
    cursor.claimed(null, full(10, 30));
    now.addAndGet(1);
    assertEquals(new Claim.Position(10, 30), cursor.start());
  }
}
