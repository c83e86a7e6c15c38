package dev.outbox.jdbc.internal;

import dev.outbox.internal.ClaimedRow;
import java.util.List;

/**
 * What one claim statement took, and where in the claim's {@code (run_at, id)} order it stopped.
 * Internal.
 *
 * @param rows the leased rows
 * @param last the largest {@code (run_at, id)} the claim's scan took, or null if it took nothing
 * @param exhausted whether the scan found fewer due rows than it was asked for, so that nothing due
 *     and unlocked was left after {@code last} when it ran
 */
record Claim(List<ClaimedRow> rows, Position last, boolean exhausted) {

  static final Claim NONE = new Claim(List.of(), null, true);

  /** A place in the claim's {@code ORDER BY run_at, id}. */
  record Position(long runAt, long id) implements Comparable<Position> {
    @Override
    public int compareTo(Position other) {
      int byTime = Long.compare(runAt, other.runAt);
      return byTime != 0 ? byTime : Long.compare(id, other.id);
    }

    /** The later of two positions; null counts as the very start. */
    static Position max(Position a, Position b) {
      if (a == null) {
        return b;
      }
      return b == null || a.compareTo(b) >= 0 ? a : b;
    }
  }
}
