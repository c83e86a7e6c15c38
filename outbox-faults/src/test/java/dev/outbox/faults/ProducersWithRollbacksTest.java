package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scenario 1: producer threads enqueue tens of thousands of jobs, rolling back about one
 * transaction in five, while several drainers (each with its own pool, as separate application
 * instances would have) drain the same tables. The handled set must equal the committed set.
 */
class ProducersWithRollbacksTest {
  private static final int PRODUCERS = 4;
  private static final int DRAINERS = 3;

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void everyCommittedJobIsHandledAndNoRolledBackOneEver(TestDatabase database) throws Exception {
    // Embedded H2 drains ever more slowly as its backlog deepens (see RELIABILITY.md); half as
    // many jobs keep the suite short and still prove the point.
    long jobs = database == TestDatabase.H2 ? 10_000 : 20_000;
    Figures figures = Figures.of("1 producers with rollbacks, " + database);
    Ledger ledger = new Ledger();
    try (ScenarioTables tables = ScenarioTables.create(database, PRODUCERS + 2)) {
      DrainReport totals;
      try (DrainerFleet fleet =
          DrainerFleet.start(
              tables,
              DRAINERS,
              4,
              drainer ->
                  drainer
                      .batchSize(100)
                      .concurrency(4)
                      .handler(
                          job -> {
                            ledger.handled(job.payload().n());
                            return Outcome.done();
                          }))) {
        new Producers(tables.dataSource, tables.outbox, ledger, FaultJob.Work::new)
            .run(PRODUCERS, jobs);
        fleet.awaitDrained(tables, Duration.ofMinutes(3));
        fleet.close(); // a started drainer counts a batch once its outcomes are written
        totals = fleet.totals();
      }
      figures
          .put("committed", ledger.committedCount())
          .put("rolled back", ledger.rolledBackCount())
          .put("handled", ledger.handledCount())
          .put("lost", ledger.lost())
          .put("handled after rollback", ledger.handledAfterRollback())
          .put("duplicated", ledger.duplicated())
          .put("dead-lettered", tables.deadLettered())
          .put("rows claimed", totals.claimed())
          .print();
      assertEquals(0, ledger.lost(), "committed jobs never handled");
      assertEquals(0, ledger.handledAfterRollback(), "rolled-back jobs handled");
      assertEquals(0, ledger.handledButNeverCommitted(), "handled jobs nobody committed");
      assertEquals(ledger.committedCount(), ledger.handledCount(), "handled set = committed set");
      assertEquals(jobs, ledger.committedCount() + ledger.rolledBackCount());
      assertEquals(0, ledger.duplicated(), "no fault here, so no job may run twice");
      assertEquals(0, tables.deadLettered());
    }
  }
}
