package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Guarantee 10: a handler's Error, hang or slowness, and a pool without a connection to spare, cost
 * no other job of the batch its outcome and no job an attempt it did not make.
 */
public abstract class HandlerFaultContract extends OutboxTestBase {

  @Test
  void anErrorFromOneHandlerFailsThatJobAloneAndTheBatchKeepsItsOtherOutcomes() throws Exception {
    TestJob[] jobs = new TestJob[50];
    for (int i = 0; i < jobs.length; i++) {
      jobs[i] = new TestJob.Greet(i == 41 ? "overflow" : "n" + i);
    }
    long bad = enqueueCommitted(jobs).get(41);
    Drainer<TestJob> drainer =
        drainer()
            .batchSize(50)
            .maxAttempts(3)
            .handler(
                job -> {
                  if (((TestJob.Greet) job.payload()).name().equals("overflow")) {
                    throw new StackOverflowError("deep recursion in the handler");
                  }
                  return Outcome.done();
                })
            .build();
    DrainReport report = drainer.drainOnce();
    assertEquals(49, report.succeeded());
    assertEquals(1, report.retried());
    assertEquals(1, count(jobTable));
    assertEquals(0, count(deadLetterTable));
    assertContains(lastError(bad), "StackOverflowError", "deep recursion in the handler");
    assertTrue(drainer.drainOnce().claimed() == 0, "the failed job waits for its backoff");
  }

  @Test
  void anErrorFromATransactionalHandlerRollsBackThatJobAlone() throws Exception {
    List<Long> ids = enqueueCommitted(new TestJob.Effect(1), new TestJob.Effect(2));
    Drainer<TestJob> drainer =
        drainer()
            .transactionalHandler(
                (job, tx) -> {
                  if (((TestJob.Effect) job.payload()).n() == 2) {
                    throw new OutOfMemoryError("a handler's own allocation");
                  }
                  return Outcome.done();
                })
            .build();
    DrainReport report = drainer.drainOnce();
    assertEquals(1, report.succeeded());
    assertEquals(1, report.retried());
    assertContains(lastError(ids.get(1)), "OutOfMemoryError", "a handler's own allocation");
  }

  @Test
  void aTransactionalHandlerThatGetsNoConnectionFromTheFullPoolUsesNoAttempt() throws Exception {
    List<Long> ids =
        enqueueCommitted(
            new TestJob.Effect(1),
            new TestJob.Effect(2),
            new TestJob.Effect(3),
            new TestJob.Effect(4));
    try (HikariDataSource small = smallPool(2, 250)) {
      CountingDataSource counted = new CountingDataSource(small);
      Drainer<TestJob> drainer =
          outboxOn(counted)
              .build()
              .drainer()
              .concurrency(4)
              .maxAttempts(1)
              .transactionalHandler(
                  (job, tx) -> {
                    // Hold the pool's two connections until the other two handlers gave up.
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (counted.refused.get() < 2 && System.nanoTime() < until) {
                      Thread.sleep(10);
                    }
                    return Outcome.done();
                  })
              .build();
      DrainReport report = drainer.drainOnce();
      assertEquals(2, report.succeeded());
      assertEquals(2, report.snoozed(), "the two that got no connection");
      assertEquals(0, count(deadLetterTable), "maxAttempts(1), yet no job used its attempt");
      long waiting = ids.stream().filter(id -> attemptsOrGone(id) == 0).count();
      assertEquals(2, waiting);
      String error =
          lastErrorWhere("SELECT last_error FROM " + jobTable + " WHERE last_error IS NOT NULL");
      assertContains(error, "no connection from the data source", "raise its maximum size");
    }
  }

  /** A pool on this test's database of {@code size} connections that waits {@code timeoutMs}. */
  protected HikariDataSource smallPool(int size, long timeoutMs) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(dataSource.getJdbcUrl());
    config.setMaximumPoolSize(size);
    config.setConnectionTimeout(timeoutMs);
    config.setPoolName("small-" + size);
    return new HikariDataSource(config);
  }

  private long attemptsOrGone(long id) {
    try {
      return attempts(id);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  protected String lastError(long id) throws SQLException {
    return lastErrorWhere("SELECT last_error FROM " + jobTable + " WHERE id = " + id);
  }

  private String lastErrorWhere(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        var statement = connection.createStatement();
        var rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  /** A data source that counts the connections its pool refused. */
  static final class CountingDataSource implements DataSource {
    final AtomicInteger refused = new AtomicInteger();
    private final DataSource pool;

    CountingDataSource(DataSource pool) {
      this.pool = pool;
    }

    @Override
    public Connection getConnection() throws SQLException {
      try {
        return pool.getConnection();
      } catch (SQLException e) {
        refused.incrementAndGet();
        throw e;
      }
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
      return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
      pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
      pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
      return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      return pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
      return pool.isWrapperFor(type);
    }
  }
}
