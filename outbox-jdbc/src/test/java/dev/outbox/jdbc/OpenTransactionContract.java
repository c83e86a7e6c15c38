package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A drainer's claims and outcome writes never wait for row locks that are none of theirs: those of
 * a producer's open transaction, or of another drainer's transactional handler. The drainer here
 * runs on sessions that give up on any lock wait after a second, so a wait fails its drain instead
 * of slowing it.
 */
public abstract class OpenTransactionContract extends OutboxTestBase {

  @Test
  void aDrainerClaimsAndCompletesJobsWhileAProducersTransactionStaysOpen() throws Exception {
    enqueueCommitted(greetings());
    analyzeJobTable();
    try (Connection producer = dataSource.getConnection();
        HikariDataSource impatient = impatientPool()) {
      producer.setAutoCommit(false);
      outbox.enqueue(producer, new TestJob.Greet("uncommitted"));
      DrainReport report =
          outboxOn(impatient).build().drainer().handler(job -> Outcome.done()).build().drainOnce();
      assertEquals(5, report.claimed(), "the committed jobs");
      assertEquals(5, report.succeeded(), "completed beside the open transaction's row");
      producer.rollback();
    }
  }

  @Test
  void aDrainerClaimsAndCompletesJobsWhileAnotherDrainersTransactionalHandlerHoldsItsRow()
      throws Exception {
    enqueueCommitted(new TestJob.Effect(1));
    enqueueCommitted(greetings());
    analyzeJobTable();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    Drainer<TestJob> holder =
        drainer()
            .batchSize(1)
            .handler(job -> Outcome.done())
            .transactional(
                TestJob.Effect.class,
                (job, tx) -> {
                  holding.countDown();
                  letGo.await();
                  return Outcome.done();
                })
            .build();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (HikariDataSource impatient = impatientPool()) {
      Future<DrainReport> held = thread.submit(holder::drainOnce);
      holding.await(30, TimeUnit.SECONDS);
      DrainReport report =
          outboxOn(impatient).build().drainer().handler(job -> Outcome.done()).build().drainOnce();
      assertEquals(5, report.succeeded(), "claimed and completed beside the held row");
      letGo.countDown();
      assertEquals(1, held.get(30, TimeUnit.SECONDS).succeeded());
    } finally {
      letGo.countDown();
      thread.shutdown();
    }
    assertEquals(0, count(jobTable));
  }

  /**
   * A shallow queue: a batch that is most of the table, where InnoDB found a scan cheaper than the
   * primary key.
   */
  private static TestJob[] greetings() {
    return new TestJob[] {
      new TestJob.Greet("a"),
      new TestJob.Greet("b"),
      new TestJob.Greet("c"),
      new TestJob.Greet("d"),
      new TestJob.Greet("e")
    };
  }

  /** Up-to-date statistics of a shallow queue, from which a planner may choose a scan. */
  private void analyzeJobTable() throws Exception {
    execute((database() == TestDatabase.POSTGRESQL ? "ANALYZE " : "ANALYZE TABLE ") + jobTable);
  }

  /** A pool on this test's database whose sessions give up on a lock wait after one second. */
  private HikariDataSource impatientPool() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(dataSource.getJdbcUrl());
    config.setMaximumPoolSize(4);
    config.setConnectionInitSql(
        switch (database()) {
          case H2 -> "SET LOCK_TIMEOUT 1000";
          case POSTGRESQL -> "SET lock_timeout = '1s'";
          case MARIADB -> "SET SESSION innodb_lock_wait_timeout = 1";
        });
    return new HikariDataSource(config);
  }
}
