package dev.outbox.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The drain workload on MariaDB and H2 (in memory), where the claim is a {@code SELECT … FOR UPDATE
 * SKIP LOCKED} then an {@code UPDATE} in one transaction: this library only, 1 and 4 drainers,
 * batch 100. For information: the targets are set on PostgreSQL.
 */
final class OtherDatabasesWorkload {
  private final BenchContext context;

  OtherDatabasesWorkload(BenchContext context) {
    this.context = context;
  }

  void run(Database db) throws Exception {
    String workload = "drain " + db.kind().name().toLowerCase(java.util.Locale.ROOT);
    JobTable table = new JobTable(db);
    table.recreate();
    DrainMeasurement measurement = new DrainMeasurement(db, context.drainTimeout());
    OutboxDrain outbox = new OutboxDrain(table, "outbox");
    // H2 locks every due row of a FOR UPDATE query before its LIMIT applies, so its claim costs
    // grow with the backlog (see BENCHMARKS.md); MariaDB commits at the disk's pace. Smaller
    // backlogs keep the run short.
    int jobs = Math.min(db.kind() == Database.Kind.H2 ? 5_000 : 20_000, context.options().jobs());
    String name = workload + ", " + String.format("%,d", jobs) + " jobs";
    List<Cell> cells = new ArrayList<>();
    for (int threads : List.of(1, 4)) {
      cells.add(measurement.cell(name, outbox, DrainSetup.of(threads, 100), jobs));
    }
    context
        .rounds()
        .run(cells, context.options().rounds(), context.options().warmUp())
        .forEach(context.report()::add);
  }
}
