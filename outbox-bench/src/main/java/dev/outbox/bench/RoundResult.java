package dev.outbox.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one run of one cell measured: named figures (the first is the headline, such as {@code
 * jobs/s}), statements per job, and the exactly-once check.
 *
 * @param figures name (with its unit) to value, in print order
 * @param statementsPerJob statements sent per job, or NaN where not meaningful
 * @param lost jobs never handled
 * @param duplicated extra handlings
 * @param leftOver rows still in the job table after the run
 */
record RoundResult(
    Map<String, Double> figures, double statementsPerJob, int lost, int duplicated, long leftOver) {

  /** A throughput run checked against its tally. */
  static RoundResult rate(
      String unit, double perSecond, double statementsPerJob, Tally tally, long leftOver) {
    return new RoundResult(
        Map.of(unit, perSecond), statementsPerJob, tally.lost(), tally.duplicated(), leftOver);
  }

  /** Figures with no exactly-once check (enqueue, micro figures). */
  static RoundResult figures(Map<String, Double> figures, double statementsPerJob) {
    return new RoundResult(new LinkedHashMap<>(figures), statementsPerJob, 0, 0, 0);
  }

  /** This result with one more figure. */
  RoundResult with(String name, double value) {
    Map<String, Double> more = new LinkedHashMap<>(figures);
    more.put(name, value);
    return new RoundResult(more, statementsPerJob, lost, duplicated, leftOver);
  }
}
