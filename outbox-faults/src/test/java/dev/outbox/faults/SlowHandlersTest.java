package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scenario 7: handlers that take seconds (a slow HTTP call) hold no database connection and no row
 * lock while they run. The drainer's own pool is watched the whole time: while every handler
 * sleeps, none of its connections is in use, and from another session every claimed row can be
 * locked at once (NOWAIT).
 */
class SlowHandlersTest {
  private static final int JOBS = 8;
  private static final Duration HANDLER_TIME = Duration.ofSeconds(2);

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void slowHandlersHoldNoConnectionAndNoRowLockWhileTheyRun(TestDatabase database)
      throws Exception {
    Figures figures = Figures.of("7 slow handlers, " + database);
    ExecutorService thread = Executors.newSingleThreadExecutor();
    AtomicBoolean sampling = new AtomicBoolean(true);
    try (ScenarioTables tables = ScenarioTables.create(database, 4)) {
      tables.enqueueWork(JOBS);
      HikariDataSource pool = tables.pool("drainer", 10);
      CountDownLatch allSleeping = new CountDownLatch(JOBS);
      CountDownLatch checked = new CountDownLatch(1);
      Drainer<FaultJob> drainer =
          tables
              .outboxOn(pool)
              .drainer()
              .concurrency(JOBS)
              .batchSize(JOBS)
              .listen(false)
              .handler(
                  job -> {
                    allSleeping.countDown();
                    Thread.sleep(HANDLER_TIME.toMillis());
                    checked.await(1, TimeUnit.MINUTES); // not finished before the checks are made
                    return Outcome.done();
                  })
              .build();
      AtomicInteger peakOverall = new AtomicInteger();
      AtomicInteger peakWhileSleeping = new AtomicInteger();
      Thread sampler =
          new Thread(
              () -> {
                while (sampling.get()) {
                  int active = pool.getHikariPoolMXBean().getActiveConnections();
                  peakOverall.accumulateAndGet(active, Math::max);
                  if (allSleeping.getCount() == 0 && checked.getCount() == 1) {
                    peakWhileSleeping.accumulateAndGet(active, Math::max);
                  }
                  Thread.onSpinWait();
                }
              });
      sampler.start();
      Future<DrainReport> run = thread.submit(drainer::drainOnce);
      assertTrue(allSleeping.await(30, TimeUnit.SECONDS), "every handler started");
      Thread.sleep(HANDLER_TIME.toMillis() / 2);
      int lockable = lockClaimedRowsNoWait(tables);
      checked.countDown();
      DrainReport report = run.get(1, TimeUnit.MINUTES);
      sampling.set(false);
      sampler.join();
      figures
          .put("handlers", JOBS)
          .put("each sleeping", HANDLER_TIME.toSeconds() + " s")
          .put("drainer connections in use while they slept (peak)", peakWhileSleeping.get())
          .put("drainer connections in use over the cycle (peak)", peakOverall.get())
          .put("claimed rows another session could lock at once", lockable)
          .print();
      assertEquals(0, peakWhileSleeping.get(), "connections held while handlers ran");
      assertTrue(peakOverall.get() <= 1, "claim and completion use one connection at a time");
      assertEquals(JOBS, lockable, "row locks held while handlers ran");
      assertEquals(JOBS, report.succeeded());
      assertEquals(0, tables.pending());
    } finally {
      sampling.set(false);
      thread.shutdownNow();
    }
  }

  /** Locks every claimed row from another session without waiting; returns how many it locked. */
  private static int lockClaimedRowsNoWait(ScenarioTables tables) throws Exception {
    try (Connection tx = tables.dataSource.getConnection()) {
      tx.setAutoCommit(false);
      try (Statement statement = tx.createStatement();
          ResultSet rows =
              statement.executeQuery(
                  "SELECT id FROM "
                      + tables.jobTable()
                      + " WHERE lease_token IS NOT NULL FOR UPDATE NOWAIT")) {
        int locked = 0;
        while (rows.next()) {
          locked++;
        }
        return locked;
      } finally {
        tx.rollback();
      }
    }
  }
}
