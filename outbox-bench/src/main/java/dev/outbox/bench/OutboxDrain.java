package dev.outbox.bench;

import dev.outbox.drain.Drainer;
import dev.outbox.drain.JobHandler;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * This library: {@code threads} drainers on the shared job table, each claiming {@code batchSize}
 * jobs and running the no-op handler on {@code concurrency} threads. Every job is parsed into the
 * sealed type, gets its attempt counted and is completed with a fenced delete.
 */
final class OutboxDrain implements DrainContestant {
  private final JobTable table;
  private final String name;

  OutboxDrain(JobTable table, String name) {
    this.table = table;
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void prefill(int jobs, DrainSetup setup) throws SQLException {
    table.prefill(jobs, setup.orderingKeys());
  }

  @Override
  public AutoCloseable start(DrainSetup setup, Tally tally) {
    List<Drainer<BenchJob>> drainers = new ArrayList<>();
    for (int i = 0; i < setup.threads(); i++) {
      drainers.add(
          table
              .outbox()
              .drainer()
              .name("bench-drainer-" + i)
              .batchSize(setup.batchSize())
              .concurrency(setup.concurrency())
              .pollInterval(Duration.ofMillis(100))
              .handler(noop(tally))
              .build());
    }
    drainers.forEach(Drainer::start);
    return () -> drainers.forEach(Drainer::close);
  }

  /** The no-op handler: tells the tally, done. */
  static JobHandler<BenchJob> noop(Tally tally) {
    return JobHandler.consuming(
        job -> {
          if (job instanceof BenchJob.Noop noop) {
            tally.handled(noop.seq());
          }
        });
  }

  @Override
  public long leftOver() {
    return table.rows();
  }
}
