package dev.outbox.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * Measures contestants that share one setup interleaved in short phases rather than in one long
 * cell each, so that a drift in the machine's load (another tenant, a checkpoint, a stall of the
 * disk) falls on all of them alike: cells of a few seconds each, one after the other, differed by
 * 10–20% between rounds on this shared machine, more than the 5% the enqueue target resolves, and
 * slices of 250 ms still left a spread of ±5% between rounds (point 25 of BENCHMARKS.md at
 * afa04e9). Each round runs {@link #CYCLES} cycles; in each, every contestant runs for one {@link
 * #PHASE} on all threads, in an order drawn anew per cycle. A contestant's figure is its units over
 * its operations' own summed time (per thread).
 */
final class Slices {
  private Slices() {}

  /** How long each contestant runs in its turn of a cycle: a few dozen one-job transactions. */
  static final Duration PHASE = Duration.ofMillis(20);

  /** Cycles per round: 3 seconds of each contestant. */
  static final int CYCLES = 150;

  /** Empties the tables before a round. */
  @FunctionalInterface
  interface Prepare {
    void run() throws Exception;
  }

  /** One contestant: its name and the operation it repeats on every thread. */
  record Contestant(String name, TimedLoops.Operation operation) {}

  /**
   * Runs a workload's contestants in rounds, at each of {@code threadCounts} in turn (named by
   * {@code setup}), and adds each contestant's figures to the report, one line per contestant and
   * setup. Each round runs in a JVM of its own, started with {@code forkCommand} (a workload of
   * {@link Bench} that calls this method with the same contestants), after an unrecorded warm-up
   * round there unless switched off, as JMH forks: what a JVM compiled, allocated and left running
   * for earlier workloads of the run, and for earlier rounds, does not carry into a round, and the
   * rounds are independent samples for the interval (point 27 of BENCHMARKS.md at afa04e9). The
   * order of contestants is drawn from the run's seed. With {@code --no-fork}, all rounds run in
   * this JVM after one warm-up round.
   */
  static void rounds(
      BenchContext context,
      Database db,
      String workload,
      String forkCommand,
      String unit,
      List<Integer> threadCounts,
      IntFunction<String> setup,
      Prepare prepare,
      List<Contestant> contestants)
      throws Exception {
    Options options = context.options();
    Round round =
        (number, sink) ->
            runRound(
                context,
                db,
                workload,
                unit,
                threadCounts,
                setup,
                prepare,
                contestants,
                number,
                sink);
    if (options.forkedRound() != null) {
      warmUpThen(options, round, List.of(options.forkedRound()), Fork.TO_PARENT);
      return;
    }
    Map<List<String>, List<RoundResult>> results = new LinkedHashMap<>();
    SliceLog log = context.report().slices();
    Sink record =
        new Sink() {
          @Override
          public void slice(
              int number, String contestant, String name, long units, double seconds) {
            log.add(workload, contestant, name, number, units, seconds);
          }

          @Override
          public void result(int number, String contestant, String name, RoundResult result) {
            results
                .computeIfAbsent(List.of(contestant, name), key -> new ArrayList<>())
                .add(result);
          }
        };
    if (options.fork()) {
      for (int number = 1; number <= options.rounds(); number++) {
        Fork.run(context, forkCommand, number, record);
      }
    } else {
      List<Integer> numbers = new ArrayList<>();
      for (int number = 1; number <= options.rounds(); number++) {
        numbers.add(number);
      }
      warmUpThen(options, round, numbers, record);
    }
    results.forEach(
        (key, rounds) ->
            context.report().add(Cell.of(workload, key.get(0), key.get(1), () -> null), rounds));
  }

  /** Runs the warm-up round unless switched off, its figures dropped, then the given rounds. */
  private static void warmUpThen(Options options, Round round, List<Integer> numbers, Sink sink)
      throws Exception {
    if (options.warmUp()) {
      round.run(0, Sink.DROP);
    }
    for (int number : numbers) {
      round.run(number, sink);
    }
  }

  /** One round of a workload, numbered from 1 (0 is the warm-up), its figures to a sink. */
  @FunctionalInterface
  private interface Round {
    void run(int number, Sink sink) throws Exception;
  }

  /** Where a round's slices and per-contestant results go. */
  interface Sink {
    Sink DROP =
        new Sink() {
          @Override
          public void slice(
              int number, String contestant, String setup, long units, double seconds) {}

          @Override
          public void result(int number, String contestant, String setup, RoundResult result) {}
        };

    /** One contestant's slice of the next cycle, in cycle order. */
    void slice(int number, String contestant, String setup, long units, double seconds);

    /** One contestant's figures over the whole round. */
    void result(int number, String contestant, String setup, RoundResult result);
  }

  private static void runRound(
      BenchContext context,
      Database db,
      String workload,
      String unit,
      List<Integer> threadCounts,
      IntFunction<String> setup,
      Prepare prepare,
      List<Contestant> contestants,
      int number,
      Sink sink)
      throws Exception {
    for (int threads : threadCounts) {
      prepare.run();
      String name = setup.apply(threads);
      Map<String, RoundResult> results =
          run(
              db,
              unit,
              threads,
              contestants,
              context.options().seed() + 31L * number + threads,
              (contestant, timed) ->
                  sink.slice(number, contestant, name, timed.units(), timed.seconds()));
      for (Map.Entry<String, RoundResult> one : results.entrySet()) {
        context
            .log()
            .printf(
                "%s  %s / %s / %s, interleaved: %s %s%n",
                number == 0 ? "warm-up " : "round " + number,
                workload,
                one.getKey(),
                name,
                Report.format(one.getValue().figures().get(unit)),
                unit);
        sink.result(number, one.getKey(), name, one.getValue());
      }
    }
  }

  /**
   * Runs the contestants on {@code threads} threads for {@link #CYCLES} cycles of one {@link
   * #PHASE} each per contestant, and returns, per contestant name, its units per second ({@code
   * unit}) and the statements it sent per unit; each contestant's share of every cycle is also
   * handed to {@code onCycle} with its name. The threads run without pause: before each operation a
   * thread reads which phase the clock is in and runs that phase's contestant, timing the operation
   * alone; an operation counts wholly for the contestant of the phase it started in. A contestant's
   * rate is its units over its operations' summed time per thread, so an operation that runs past
   * its phase's end takes nothing from the next contestant.
   */
  private static Map<String, RoundResult> run(
      Database db,
      String unit,
      int threads,
      List<Contestant> contestants,
      long seed,
      BiConsumer<String, TimedLoops.Timed> onCycle)
      throws Exception {
    int n = contestants.size();
    int[] schedule = schedule(n, new Random(seed));
    // Per thread and phase; a phase's contestant and cycle follow from the schedule.
    long[][] units = new long[threads][schedule.length];
    long[][] nanos = new long[threads][schedule.length];
    long[][] statements = new long[threads][n];
    long phase = PHASE.toNanos();
    long start = System.nanoTime();
    TimedLoops.onThreads(
        threads,
        "interleaved",
        (thread, failed) -> {
          for (long i = 0; !failed.getAsBoolean(); i++) {
            long began = System.nanoTime();
            long at = (began - start) / phase;
            if (at >= schedule.length) {
              return;
            }
            int c = schedule[(int) at];
            long sent = db.statementsOnThisThread();
            units[thread][(int) at] += contestants.get(c).operation().run(thread, i);
            nanos[thread][(int) at] += System.nanoTime() - began;
            statements[thread][c] += db.statementsOnThisThread() - sent;
          }
        });
    long[] allUnits = new long[n];
    long[] allNanos = new long[n];
    long[] allStatements = new long[n];
    // Phase by phase: each contestant's phases arrive in cycle order, as the log pairs them.
    for (int at = 0; at < schedule.length; at++) {
      int c = schedule[at];
      long phaseUnits = 0;
      long phaseNanos = 0;
      for (int t = 0; t < threads; t++) {
        phaseUnits += units[t][at];
        phaseNanos += nanos[t][at];
      }
      onCycle.accept(
          contestants.get(c).name(), new TimedLoops.Timed(phaseUnits, phaseNanos / 1e9 / threads));
      allUnits[c] += phaseUnits;
      allNanos[c] += phaseNanos;
    }
    Map<String, RoundResult> results = new LinkedHashMap<>();
    for (int c = 0; c < n; c++) {
      for (int t = 0; t < threads; t++) {
        allStatements[c] += statements[t][c];
      }
      results.put(
          contestants.get(c).name(),
          RoundResult.figures(
              Map.of(unit, allUnits[c] / (allNanos[c] / 1e9 / threads)),
              allStatements[c] / (double) Math.max(1, allUnits[c])));
    }
    return results;
  }

  /**
   * Which contestant each phase belongs to: cycle after cycle, every contestant once in an order
   * drawn anew, so that none always follows the same other one.
   */
  private static int[] schedule(int n, Random random) {
    int[] schedule = new int[CYCLES * n];
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      Collections.shuffle(order, random);
      for (int i = 0; i < n; i++) {
        schedule[cycle * n + i] = order.get(i);
      }
    }
    return schedule;
  }
}
