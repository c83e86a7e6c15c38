package dev.outbox.drain;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

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
 * @param counts what a batch handler counted (for the Inngest forwarder: eventsSent, requests,
 *     retries, splits, rejections, pauses), by name
 */
public record DrainReport(
    long claimed,
    long succeeded,
    long retried,
    long snoozed,
    long deadLettered,
    long unparseable,
    long fenced,
    long released,
    Map<String, Long> counts) {

  /** Nothing claimed. */
  public static final DrainReport EMPTY = new DrainReport(0, 0, 0, 0, 0, 0, 0, 0, Map.of());

  public DrainReport {
    counts = Collections.unmodifiableMap(new TreeMap<>(counts));
  }

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
        released + other.released,
        merged(counts, other.counts));
  }

  private static Map<String, Long> merged(Map<String, Long> one, Map<String, Long> other) {
    if (other.isEmpty()) {
      return one;
    }
    Map<String, Long> sum = new TreeMap<>(one);
    other.forEach((name, count) -> sum.merge(name, count, Long::sum));
    return sum;
  }
}
