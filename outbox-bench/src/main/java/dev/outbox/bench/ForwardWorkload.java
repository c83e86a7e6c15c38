package dev.outbox.bench;

import dev.outbox.drain.Drainer;
import dev.outbox.forward.InngestForwarder;
import dev.outbox.forward.InngestTestServer;
import dev.outbox.forward.ReceivedEvent;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Workload 6, forwarding: the prefilled backlog forwarded by the Inngest forwarder (a batch
 * handler: one request per claimed batch) to the test Event API server on 127.0.0.1, the one the
 * forwarder's own tests use; beside the no-op handler in the same run. A job counts as handled when
 * its event has been accepted; lost and duplicated come from the event ids the server received.
 */
final class ForwardWorkload {
  private static final String W = "forward";

  private final BenchContext context;

  ForwardWorkload(BenchContext context) {
    this.context = context;
  }

  void run() throws Exception {
    Database db = context.postgres();
    JobTable table = context.postgresJobs();
    DrainMeasurement measurement = new DrainMeasurement(db, context.drainTimeout());
    OutboxDrain noop = new OutboxDrain(table, "outbox, no-op handler");
    ForwardDrain forward = new ForwardDrain(table);
    int jobs = context.options().jobs();
    List<Cell> cells = new ArrayList<>();
    for (DrainSetup setup : List.of(DrainSetup.of(1, 500), DrainSetup.of(4, 500))) {
      cells.add(measurement.cell(W, noop, setup, jobs));
      cells.add(measurement.cell(W, forward, setup, jobs));
    }
    context
        .rounds()
        .run(cells, context.options().rounds(), context.options().warmUp())
        .forEach(context.report()::add);
    for (DrainSetup setup : List.of(DrainSetup.of(1, 500), DrainSetup.of(4, 500))) {
      context
          .report()
          .ratio(
              "events/s forwarded to the local Event API, " + setup.describe(),
              context.report().median(W, forward.name(), setup.describe(), "jobs/s"),
              20_000.0);
    }
  }

  /** This library with the forwarder as its batch handler. */
  private static final class ForwardDrain implements DrainContestant {
    private final JobTable table;

    ForwardDrain(JobTable table) {
      this.table = table;
    }

    @Override
    public String name() {
      return "outbox, Inngest forwarder";
    }

    @Override
    public void prefill(int jobs, DrainSetup setup) throws SQLException {
      table.prefill(jobs, 0);
    }

    @Override
    public AutoCloseable start(DrainSetup setup, Tally tally) {
      InngestTestServer server = InngestTestServer.start();
      InngestForwarder<BenchJob> forwarder =
          InngestForwarder.builder(table.outbox().codec())
              .baseUrl(server.baseUrl())
              .eventKey("bench-event-key")
              .build();
      List<Drainer<BenchJob>> drainers = new ArrayList<>();
      for (int i = 0; i < setup.threads(); i++) {
        drainers.add(
            table
                .outbox()
                .drainer()
                .name("bench-forward-" + i)
                .batchSize(setup.batchSize())
                .pollInterval(Duration.ofMillis(100))
                .batchHandler(forwarder)
                .build());
      }
      long base = table.baseId();
      Loops watcher = new Loops("forward-watcher");
      boolean[] replayed = new boolean[1];
      watcher.start(
          () -> {
            if (!replayed[0] && server.triggeredRuns() >= tally.jobs()) {
              replay(server, tally, base);
              replayed[0] = true;
            }
            Thread.sleep(20);
            return true;
          });
      drainers.forEach(Drainer::start);
      return () -> {
        drainers.forEach(Drainer::close);
        watcher.close();
        if (!replayed[0]) {
          replay(server, tally, base);
        }
        server.close();
      };
    }

    /** Tells the tally about every accepted event, by the job id its event id ends with. */
    private static void replay(InngestTestServer server, Tally tally, long base) {
      for (ReceivedEvent event : server.events()) {
        String id = event.id().getOrElse("");
        long jobId = Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
        tally.handled(jobId - base);
      }
    }

    @Override
    public long leftOver() {
      return table.rows();
    }
  }
}
