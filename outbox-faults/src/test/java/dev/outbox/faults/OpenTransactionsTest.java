package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scenario 9: locks that are none of the drainers'. A producer's transaction that inserted a job
 * stays open, and another drainer's transactional handler holds its job's row, for the whole
 * scenario; meanwhile producers commit small transactions into a shallow queue and two drainers
 * handle them. Every committed job is handled and completed while both locks are still held: no
 * claim or completion waits for them (on MariaDB a completion planned as a scan did, 50 s a time).
 */
class OpenTransactionsTest {
  private static final int JOBS = 2_000;

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void drainersHandleEveryCommittedJobWhileAnOpenTransactionAndAHeldRowStay(TestDatabase database)
      throws Exception {
    Figures figures = Figures.of("9 open transaction and held row, " + database);
    Set<Long> handled = ConcurrentHashMap.newKeySet();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (ScenarioTables tables = ScenarioTables.create(database, 4);
        Connection open = tables.dataSource.getConnection()) {
      tables.enqueue(List.of(new FaultJob.Poison(-1)), EnqueueOptions.defaults());
      Future<DrainReport> held = thread.submit(holder(tables, holding, letGo)::drainOnce);
      holding.await(1, TimeUnit.MINUTES);
      open.setAutoCommit(false);
      tables.outbox.enqueue(open, new FaultJob.Work(-2));
      try (DrainerFleet fleet =
          DrainerFleet.start(
              tables,
              2,
              4,
              drainer ->
                  drainer
                      .batchSize(20)
                      .handler(
                          job -> {
                            handled.add(job.payload().n());
                            return Outcome.done();
                          }))) {
        for (long n = 0; n < JOBS; n += 5) {
          List<FaultJob> five = new ArrayList<>();
          for (long i = n; i < n + 5; i++) {
            five.add(new FaultJob.Work(i));
          }
          tables.enqueue(five, EnqueueOptions.defaults());
        }
        Await.until(
            Duration.ofMinutes(2),
            "every committed job is handled and completed beside the open transaction and the held"
                + " row (only the held job left)",
            () -> handled.size() == JOBS && tables.pending() == 1);
        figures
            .put("jobs", JOBS)
            .put("handled and completed while both locks were held", handled.size())
            .put("lost", JOBS - handled.size())
            .print();
      }
      letGo.countDown();
      assertEquals(1, held.get(1, TimeUnit.MINUTES).succeeded(), "the held job");
      open.rollback();
      assertEquals(JOBS, handled.size());
      assertEquals(0, tables.pending());
    } finally {
      letGo.countDown();
      thread.shutdown();
    }
  }

  /** A drainer whose transactional handler holds its job's row until let go. */
  private static Drainer<FaultJob> holder(
      ScenarioTables tables, CountDownLatch holding, CountDownLatch letGo) {
    return tables
        .outboxOn(tables.pool("holder", 2))
        .drainer()
        .handler(job -> Outcome.done())
        .transactional(
            FaultJob.Poison.class,
            (job, tx) -> {
              holding.countDown();
              letGo.await();
              return Outcome.done();
            })
        .build();
  }
}
