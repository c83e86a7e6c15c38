package dev.outbox.bench;

import java.time.Duration;

/**
 * The measurement every drain cell shares: prefill (untimed, then a checkpoint), start the clock,
 * start the contestant, wait until the last job is handled, stop the clock, stop the contestant
 * (its last writes complete), then check the tally and the table; on PostgreSQL also the WAL the
 * drain wrote per job (full-page images included: every page the drain touches first after the
 * checkpoint is logged whole once).
 */
final class DrainMeasurement {
  private final Database db;
  private final Duration timeout;

  DrainMeasurement(Database db, Duration timeout) {
    this.db = db;
    this.timeout = timeout;
  }

  /** A cell measuring {@code contestant} on {@code jobs} prefilled jobs. */
  Cell cell(String workload, DrainContestant contestant, DrainSetup setup, int jobs) {
    return Cell.of(
        workload, contestant.name(), setup.describe(), () -> measure(contestant, setup, jobs));
  }

  RoundResult measure(DrainContestant contestant, DrainSetup setup, int jobs) throws Exception {
    contestant.prefill(jobs, setup);
    db.checkpoint();
    Tally tally = Tally.of(jobs);
    long statementsBefore = db.statements();
    double walBefore = db.walPosition();
    long start = System.nanoTime();
    boolean complete;
    try (AutoCloseable running = contestant.start(setup, tally)) {
      complete = tally.await(timeout);
    }
    long end = complete ? tally.lastNanos() : System.nanoTime();
    double seconds = (end - start) / 1e9;
    double statements = (db.statements() - statementsBefore) / (double) jobs;
    double walPerJob = (db.walPosition() - walBefore) / jobs;
    RoundResult result =
        RoundResult.rate(
            "jobs/s", tally.handledDistinct() / seconds, statements, tally, contestant.leftOver());
    return Double.isNaN(walPerJob) ? result : result.with("WAL bytes/job", walPerJob);
  }
}
