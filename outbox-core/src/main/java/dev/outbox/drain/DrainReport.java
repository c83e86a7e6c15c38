package dev.outbox.drain;

/**
 * What one {@link Drainer#drainOnce()} did. Summed by {@link #plus(DrainReport)} for totals.
 *
 * @param claimed rows claimed
 * @param succeeded jobs completed and deleted
 * @param retried failures scheduled for another attempt
 * @param snoozed jobs that asked to run later without counting an attempt
 * @param deadLettered jobs moved to the dead letters (unparseable ones included)
 * @param unparseable rows whose kind or payload could not be parsed (also in deadLettered, unless
 *     left pending for a rolling deploy)
 * @param fenced outcomes not applied because the lease had been lost to another drainer
 * @param released jobs given back unfinished at shutdown
 */
public record DrainReport(
    int claimed,
    int succeeded,
    int retried,
    int snoozed,
    int deadLettered,
    int unparseable,
    int fenced,
    int released) {

  /** Nothing claimed. */
  public static final DrainReport EMPTY = new DrainReport(0, 0, 0, 0, 0, 0, 0, 0);

  /** The sum of two reports. */
  public DrainReport plus(DrainReport other) {
    return new DrainReport(
        claimed + other.claimed,
        succeeded + other.succeeded,
        retried + other.retried,
        snoozed + other.snoozed,
        deadLettered + other.deadLettered,
        unparseable + other.unparseable,
        fenced + other.fenced,
        released + other.released);
  }
}
