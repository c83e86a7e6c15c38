package dev.outbox.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * Measures contestants that share one setup in alternating short slices rather than in one long
 * cell each, so that a drift in the machine's load (another tenant, a checkpoint, a stall of the
 * disk) falls on all of them alike: cells of a few seconds each, one after the other, differed by
 * 10–20% between rounds on this shared machine, more than the 5% the enqueue target resolves. Each
 * contestant runs {@link #SLICES_EACH} slices of {@link #SLICE}; every cycle through the
 * contestants starts with the next one and every other cycle runs backwards. A contestant's figure
 * is its units over its own summed time.
 */
final class Slices {
  private Slices() {}

  /** Slice length in the workloads' rounds. */
  static final Duration SLICE = Duration.ofMillis(250);

  /** Slices per contestant per round: 3 seconds each. */
  static final int SLICES_EACH = 12;

  /** Empties the tables before a round. */
  @FunctionalInterface
  interface Prepare {
    void run() throws Exception;
  }

  /** One contestant: its name and the operation it repeats on every thread. */
  record Contestant(String name, TimedLoops.Operation operation) {}

  /**
   * Runs a workload's contestants in rounds (an unrecorded warm-up round first unless switched
   * off), at each of {@code threadCounts} in turn (named by {@code setup}), and adds each
   * contestant's figures to the report, one line per contestant and setup.
   */
  static void rounds(
      BenchContext context,
      Database db,
      String workload,
      String unit,
      List<Integer> threadCounts,
      IntFunction<String> setup,
      Prepare prepare,
      List<Contestant> contestants)
      throws Exception {
    Map<List<String>, List<RoundResult>> results = new LinkedHashMap<>();
    int first = context.options().warmUp() ? 0 : 1;
    for (int round = first; round <= context.options().rounds(); round++) {
      for (int threads : threadCounts) {
        prepare.run();
        String name = setup.apply(threads);
        // The warm-up's slices are dropped with its figures.
        SliceLog log = round == 0 ? new SliceLog() : context.report().slices();
        Map<String, RoundResult> slices =
            run(
                db,
                unit,
                threads,
                contestants,
                (contestant, timed) ->
                    log.add(workload, contestant, name, timed.units(), timed.seconds()));
        for (Map.Entry<String, RoundResult> one : slices.entrySet()) {
          context
              .log()
              .printf(
                  "%s  %s / %s / %s, sliced: %s %s%n",
                  round == 0 ? "warm-up " : "round " + round,
                  workload,
                  one.getKey(),
                  name,
                  Report.format(one.getValue().figures().get(unit)),
                  unit);
          if (round > 0) {
            results
                .computeIfAbsent(List.of(one.getKey(), name), key -> new ArrayList<>())
                .add(one.getValue());
          }
        }
      }
    }
    results.forEach(
        (key, rounds) ->
            context.report().add(Cell.of(workload, key.get(0), key.get(1), () -> null), rounds));
  }

  /**
   * Runs the contestants on {@code threads} threads and returns, per contestant name, its units per
   * second ({@code unit}) and the statements it sent per unit, {@link #SLICES_EACH} slices of
   * {@link #SLICE} each; every slice is also handed to {@code onSlice} with its contestant's name.
   */
  private static Map<String, RoundResult> run(
      Database db,
      String unit,
      int threads,
      List<Contestant> contestants,
      BiConsumer<String, TimedLoops.Timed> onSlice)
      throws Exception {
    int n = contestants.size();
    long[] units = new long[n];
    double[] seconds = new double[n];
    long[] statements = new long[n];
    for (int cycle = 0; cycle < SLICES_EACH; cycle++) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        order.add((cycle + i) % n);
      }
      if (cycle % 2 == 1) {
        Collections.reverse(order);
      }
      for (int c : order) {
        long before = db.statements();
        TimedLoops.Timed timed = TimedLoops.run(threads, SLICE, contestants.get(c).operation());
        statements[c] += db.statements() - before;
        units[c] += timed.units();
        seconds[c] += timed.seconds();
        onSlice.accept(contestants.get(c).name(), timed);
      }
    }
    Map<String, RoundResult> results = new LinkedHashMap<>();
    for (int c = 0; c < n; c++) {
      results.put(
          contestants.get(c).name(),
          RoundResult.figures(
              Map.of(unit, units[c] / seconds[c]), statements[c] / (double) Math.max(1, units[c])));
    }
    return results;
  }
}
