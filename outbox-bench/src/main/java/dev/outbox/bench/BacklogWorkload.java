package dev.outbox.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Workload 4, backlog scaling: 10k, 100k and 1M pending jobs drained by this library and by the
 * hand-written drainer (4 threads, batch 100); jobs/s, seconds to drain, and the job table's dead
 * tuples and size right after. Run with autovacuum as the server has it and again with autovacuum
 * turned on (restored afterwards). Workload 5, memory: the drainer's heap after GC, sampled while
 * draining 1M.
 */
final class BacklogWorkload {
  private static final String W = "backlog";
  private static final List<Integer> DEPTHS = List.of(10_000, 100_000, 1_000_000);

  private final BenchContext context;
  private final Database db;
  private final DrainMeasurement measurement;
  private final RawDrainer raw;
  private final OutboxDrain outbox;
  private final TableStats stats;

  BacklogWorkload(BenchContext context) {
    this.context = context;
    this.db = context.postgres();
    this.measurement = new DrainMeasurement(db, context.drainTimeout());
    this.raw = RawDrainer.movingRunAt(db, context.postgresJobs());
    this.outbox = new OutboxDrain(context.postgresJobs(), "outbox");
    this.stats = new TableStats(db);
  }

  void run() throws Exception {
    String found = db.queryString("SHOW autovacuum");
    runAll("autovacuum " + found + " (as found)");
    try (Autovacuum on = Autovacuum.set(db, !"on".equals(found))) {
      runAll("autovacuum " + ("on".equals(found) ? "off" : "on"));
    }
  }

  private void runAll(String mode) throws Exception {
    List<Cell> cells = new ArrayList<>();
    DrainSetup setup = DrainSetup.of(4, 100);
    for (int depth : DEPTHS) {
      for (DrainContestant contestant : List.<DrainContestant>of(raw, outbox)) {
        String label = String.format("%,d, %s", depth, mode);
        cells.add(Cell.of(W, contestant.name(), label, () -> measure(contestant, setup, depth)));
      }
    }
    context.rounds().run(cells, context.options().rounds(), false).forEach(context.report()::add);
    Report report = context.report();
    report.ratio(
        "outbox drain rate 1M / 100k, " + mode,
        report.median(W, "outbox", String.format("%,d, %s", 1_000_000, mode), "jobs/s")
            / report.median(W, "outbox", String.format("%,d, %s", 100_000, mode), "jobs/s"),
        0.7);
  }

  private RoundResult measure(DrainContestant contestant, DrainSetup setup, int depth)
      throws Exception {
    RoundResult result = measurement.measure(contestant, setup, depth);
    double rate = result.figures().get("jobs/s");
    return result
        .with("s to drain", depth / rate)
        .with("dead tuples after", stats.deadTuples(JobTable.NAME))
        .with("table MB after", stats.megabytes(JobTable.NAME));
  }

  /** Workload 5: heap after GC, sampled every second while this library drains 1M jobs. */
  void memory() throws Exception {
    int depth = 1_000_000;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    double idle = memory.getHeapMemoryUsage().getUsed() / 1048576.0;
    double[] peak = new double[1];
    Loops sampler = new Loops("heap-sampler");
    sampler.start(
        () -> {
          Thread.sleep(1_000);
          System.gc();
          peak[0] = Math.max(peak[0], memory.getHeapMemoryUsage().getUsed() / 1048576.0);
          return true;
        });
    RoundResult result;
    try {
      result = measurement.measure(outbox, DrainSetup.of(4, 100), depth);
    } finally {
      sampler.close();
    }
    RoundResult heap =
        new RoundResult(
            new java.util.LinkedHashMap<>(Map.of("heap after GC, max MB", peak[0])),
            result.statementsPerJob(),
            result.lost(),
            result.duplicated(),
            result.leftOver());
    Cell cell = Cell.of("memory", "outbox", "1,000,000, 4 thr, batch 100", () -> heap);
    context.report().add(cell, List.of(heap.with("heap after GC idle MB", idle)));
    context.report().atMost("drainer heap after GC while draining 1M", peak[0], 64, "MB");
    context
        .report()
        .note(
            "memory: the whole benchmark JVM's heap after a full GC, sampled every second while"
                + " draining; it includes the harness's own tally of 1M counters (4 MB).");
  }
}
