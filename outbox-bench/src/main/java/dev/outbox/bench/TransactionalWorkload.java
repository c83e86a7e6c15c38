package dev.outbox.bench;

import dev.outbox.drain.Drainer;
import dev.outbox.drain.JobHandler;
import dev.outbox.drain.Outcome;
import dev.outbox.drain.TransactionalHandler;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Workload 7, transactional handler: each job adds one to one account row. As a transactional
 * handler the update and the job's completion commit together (exactly-once effect); as an ordinary
 * handler the update commits on its own connection, then the batch completes. Jobs/s of both in the
 * same run, and a check that the balances add up to the number of jobs.
 */
final class TransactionalWorkload {
  static final String ACCOUNTS = "bench_account";
  private static final String W = "txhandler";
  private static final String UPDATE =
      "UPDATE " + ACCOUNTS + " SET balance = balance + 1 WHERE id = ?";

  private final BenchContext context;
  private final Database db;
  private final JobTable jobs;

  TransactionalWorkload(BenchContext context) {
    this.context = context;
    this.db = context.postgres();
    this.jobs = context.postgresJobs();
  }

  void run() throws Exception {
    // Each job is a transaction of its own here: a smaller backlog keeps the run short.
    int count = Math.min(20_000, context.options().jobs());
    db.drop(ACCOUNTS);
    db.execute("CREATE TABLE " + ACCOUNTS + " (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
    List<Cell> cells = new ArrayList<>();
    for (DrainSetup setup : List.of(new DrainSetup(1, 100, 8, 0), new DrainSetup(2, 100, 8, 0))) {
      cells.add(cell("outbox, transactional handler", setup, count, true));
      cells.add(cell("outbox, ordinary handler + own tx", setup, count, false));
    }
    context
        .rounds()
        .run(cells, context.options().rounds(), context.options().warmUp())
        .forEach(context.report()::add);
    for (DrainSetup setup : List.of(new DrainSetup(1, 100, 8, 0), new DrainSetup(2, 100, 8, 0))) {
      context
          .report()
          .ratio(
              "transactional / ordinary + own tx, " + setup.describe(),
              context
                  .report()
                  .pairedRatio(
                      W,
                      "jobs/s",
                      new String[] {"outbox, transactional handler", setup.describe()},
                      new String[] {"outbox, ordinary handler + own tx", setup.describe()}),
              null);
    }
  }

  private Cell cell(String name, DrainSetup setup, int count, boolean transactional) {
    return Cell.of(W, name, setup.describe(), () -> measure(setup, count, transactional));
  }

  private RoundResult measure(DrainSetup setup, int count, boolean transactional) throws Exception {
    db.execute("TRUNCATE TABLE " + ACCOUNTS);
    db.execute(
        "INSERT INTO " + ACCOUNTS + " SELECT i, 0 FROM generate_series(0, " + (count - 1) + ") i");
    db.vacuumAnalyze(ACCOUNTS);
    jobs.prefill(count, 0, "Touch");
    db.checkpoint();
    Tally tally = Tally.of(count);
    long before = db.statements();
    long start = System.nanoTime();
    List<Drainer<BenchJob>> drainers = new ArrayList<>();
    for (int i = 0; i < setup.threads(); i++) {
      var builder =
          jobs.outbox()
              .drainer()
              .name("bench-tx-" + i)
              .batchSize(setup.batchSize())
              .concurrency(setup.concurrency())
              .pollInterval(Duration.ofMillis(100));
      drainers.add(
          (transactional
                  ? builder.transactionalHandler(inTransaction(tally))
                  : builder.handler(ownTransaction(tally, db.dataSource())))
              .build());
    }
    drainers.forEach(Drainer::start);
    boolean complete;
    try {
      complete = tally.await(context.drainTimeout());
    } finally {
      drainers.forEach(Drainer::close);
    }
    long end = complete ? tally.lastNanos() : System.nanoTime();
    double statements = (db.statements() - before) / (double) count;
    RoundResult result =
        RoundResult.rate(
            "jobs/s",
            tally.handledDistinct() / ((end - start) / 1e9),
            statements,
            tally,
            jobs.rows());
    long effects = db.queryLong("SELECT COALESCE(SUM(balance), 0) FROM " + ACCOUNTS);
    return result.with("effects - jobs", effects - count);
  }

  private static TransactionalHandler<BenchJob> inTransaction(Tally tally) {
    return (job, tx) -> {
      int seq = ((BenchJob.Touch) job.payload()).seq();
      touch(tx, seq);
      tally.handled(seq);
      return Outcome.done();
    };
  }

  private static JobHandler<BenchJob> ownTransaction(Tally tally, DataSource dataSource) {
    return job -> {
      int seq = ((BenchJob.Touch) job.payload()).seq();
      try (Connection connection = dataSource.getConnection()) {
        touch(connection, seq);
      }
      tally.handled(seq);
      return Outcome.done();
    };
  }

  private static void touch(Connection connection, int seq) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
      update.setInt(1, seq);
      update.executeUpdate();
    }
  }
}
