package dev.outbox.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Workload 1, drain: a prefilled backlog, the no-op handler, this library beside the hand-written
 * drainer at the same thread count and batch size (and beside its peers), jobs/s and statements per
 * job; again with ordering keys.
 */
final class DrainWorkload {
  private static final String FIGURE = "jobs/s";

  private final BenchContext context;
  private final DrainMeasurement measurement;
  private final RawDrainer raw;
  private final RawDrainer rawInPlace;
  private final OutboxDrain outbox;

  DrainWorkload(BenchContext context) {
    this.context = context;
    Database db = context.postgres();
    this.measurement = new DrainMeasurement(db, context.drainTimeout());
    this.raw = RawDrainer.movingRunAt(db, context.postgresJobs());
    this.rawInPlace = RawDrainer.leasingInPlace(db, context.postgresJobs());
    this.outbox = new OutboxDrain(context.postgresJobs(), "outbox");
  }

  /** {@code core}: raw and outbox, batch 100, 1 and 4 threads. */
  void core() throws Exception {
    run("core", grid(List.of(100)), List.of(), List.of(), List.of());
  }

  /**
   * {@code drain}: batch 10, 100 and 500 at 1 and 4 threads, and the library's defaults; at batch
   * 100 also the hand-written drainer that leases in place (see {@link RawDrainer}).
   */
  void full() throws Exception {
    List<DrainSetup> setups = grid(List.of(10, 100, 500));
    List<Cell> extra = new ArrayList<>();
    DrainSetup defaults = new DrainSetup(1, 100, 8, 0);
    extra.add(measurement.cell("drain", outbox, defaults, context.options().jobs()));
    run("drain", setups, grid(List.of(100)), extra, List.of());
  }

  /** {@code ordered}: 1,000 ordering keys beside no keys. */
  void ordered() throws Exception {
    int jobs = context.options().jobs();
    List<Cell> cells = new ArrayList<>();
    for (int threads : List.of(1, 4)) {
      DrainSetup plain = DrainSetup.of(threads, 100);
      cells.add(measurement.cell("ordered", outbox, plain, jobs));
      cells.add(measurement.cell("ordered", outbox, plain.ordered(1_000), jobs));
    }
    report(context.rounds().run(cells, context.options().rounds(), context.options().warmUp()));
    for (int threads : List.of(1, 4)) {
      DrainSetup plain = DrainSetup.of(threads, 100);
      context
          .report()
          .ratio(
              "ordered (1,000 keys) / unordered, outbox, " + threads + " thr",
              paired("ordered", "outbox", plain.ordered(1_000), "outbox", plain),
              0.5);
    }
  }

  /** {@code peers}: db-scheduler and transaction-outbox beside raw and outbox, same run. */
  void peers(boolean quick) throws Exception {
    Database db = context.postgres();
    DbSchedulerDrain dbScheduler = new DbSchedulerDrain(db);
    dbScheduler.createTable();
    TransactionOutboxDrain transactionOutbox = new TransactionOutboxDrain(db);
    List<Cell> peerCells = new ArrayList<>();
    int jobs = context.options().jobs();
    for (int threads : quick ? List.of(20) : List.of(4, 20)) {
      peerCells.add(measurement.cell("peers", dbScheduler, DrainSetup.of(threads, 0), jobs));
    }
    for (int threads : quick ? List.of(4) : List.of(1, 4)) {
      peerCells.add(measurement.cell("peers", transactionOutbox, DrainSetup.of(threads, 0), jobs));
    }
    run("peers", List.of(DrainSetup.of(4, 100)), List.of(), List.of(), peerCells);
    double best = median("peers", "outbox", DrainSetup.of(4, 100));
    Report report = context.report();
    report.ratio(
        "outbox (4 thr, batch 100) / db-scheduler best", best / bestOf("db-scheduler"), 5.0);
    report.ratio(
        "outbox (4 thr, batch 100) / transaction-outbox best",
        best / bestOf("transaction-outbox"),
        10.0);
  }

  private double bestOf(String contestant) {
    double best = Double.NaN;
    for (int threads : List.of(1, 4, 20)) {
      double value = median("peers", contestant, DrainSetup.of(threads, 0));
      if (!Double.isNaN(value) && (Double.isNaN(best) || value > best)) {
        best = value;
      }
    }
    return best;
  }

  private List<DrainSetup> grid(List<Integer> batches) {
    List<DrainSetup> setups = new ArrayList<>();
    for (int batch : batches) {
      for (int threads : List.of(1, 4)) {
        setups.add(DrainSetup.of(threads, batch));
      }
    }
    return setups;
  }

  /**
   * Raw and outbox side by side for each setup (and the raw drainer leasing in place right after
   * them for the setups in {@code inPlace}), then the extra cells; the ratios of each pair.
   */
  private void run(
      String workload,
      List<DrainSetup> setups,
      List<DrainSetup> inPlace,
      List<Cell> extra,
      List<Cell> peers)
      throws Exception {
    int jobs = context.options().jobs();
    List<Cell> cells = new ArrayList<>();
    for (DrainSetup setup : setups) {
      cells.add(measurement.cell(workload, raw, setup, jobs));
      cells.add(measurement.cell(workload, outbox, setup, jobs));
      if (inPlace.contains(setup)) {
        cells.add(measurement.cell(workload, rawInPlace, setup, jobs));
      }
    }
    cells.addAll(extra);
    cells.addAll(peers);
    report(context.rounds().run(cells, context.options().rounds(), context.options().warmUp()));
    for (DrainSetup setup : setups) {
      context
          .report()
          .ratio(
              workload + ": outbox / raw, " + setup.describe(),
              paired(workload, "outbox", setup, "raw", setup),
              0.8);
    }
    for (DrainSetup setup : inPlace) {
      context
          .report()
          .ratio(
              workload + ": outbox / raw leasing in place, " + setup.describe(),
              paired(workload, "outbox", setup, rawInPlace.name(), setup),
              null);
    }
  }

  private void report(Map<Cell, List<RoundResult>> results) {
    results.forEach(context.report()::add);
  }

  private double paired(String workload, String a, DrainSetup setupA, String b, DrainSetup setupB) {
    return context
        .report()
        .pairedRatio(
            workload,
            FIGURE,
            new String[] {a, setupA.describe()},
            new String[] {b, setupB.describe()});
  }

  private double median(String workload, String contestant, DrainSetup setup) {
    return context.report().median(workload, contestant, setup.describe(), FIGURE);
  }
}
