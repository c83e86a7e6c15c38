package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.Stubborn;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
      FaultyDataSource counted = new FaultyDataSource(small);
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

  @Test
  void aHandlerPastItsTimeoutFailsItsJobAndIgnoringTheInterruptBlocksNoOtherJob() throws Exception {
    List<Long> ids =
        enqueueCommitted(
            new TestJob.Greet("hang"),
            new TestJob.Greet("a"),
            new TestJob.Greet("b"),
            new TestJob.Greet("c"));
    CountDownLatch letItGo = new CountDownLatch(1);
    Drainer<TestJob> drainer =
        drainer()
            .concurrency(1) // the hung handler holds the only thread
            .handlerTimeout(Duration.ofMinutes(5))
            .handlerTimeout(TestJob.Greet.class, Duration.ofMillis(300))
            .handler(
                job -> {
                  if (((TestJob.Greet) job.payload()).name().equals("hang")) {
                    Stubborn.await(letItGo);
                  }
                  return Outcome.done();
                })
            .build();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      DrainReport report = thread.submit(drainer::drainOnce).get(2, TimeUnit.MINUTES);
      assertEquals(3, report.succeeded());
      assertEquals(1, report.retried());
      assertEquals(1, attempts(ids.get(0)));
      assertContains(lastError(ids.get(0)), "timeout of PT0.3S", "interrupted");
    } finally {
      letItGo.countDown();
      thread.shutdownNow();
      drainer.close();
    }
  }

  @Test
  void aHandlerSlowerThanThreeLeasesKeepsItsJobAndRunsOnceWithTwoDrainers() throws Exception {
    enqueueCommitted(new TestJob.Greet("slow"));
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch running = new CountDownLatch(1);
    Drainer<TestJob> slow =
        drainer()
            .lease(Duration.ofSeconds(1))
            .handler(
                job -> {
                  runs.incrementAndGet();
                  running.countDown();
                  Thread.sleep(3_500);
                  return Outcome.done();
                })
            .build();
    Drainer<TestJob> other =
        drainer()
            .handler(
                job -> {
                  runs.incrementAndGet();
                  return Outcome.done();
                })
            .build();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      Future<DrainReport> first = thread.submit(slow::drainOnce);
      assertTrue(running.await(1, TimeUnit.MINUTES));
      long claimedByOther = 0;
      while (!first.isDone()) {
        claimedByOther += other.drainOnce().claimed();
        Thread.sleep(50);
      }
      assertEquals(1, first.get().succeeded());
      assertEquals(0, claimedByOther, "the other drainer never took the renewed job");
      assertEquals(1, runs.get());
      assertEquals(0, count(jobTable));
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void closeDuringAnotherThreadsDrainOnceLetsItsHandlersFinishAndReleasesTheRest()
      throws Exception {
    List<Long> ids =
        enqueueCommitted(
            new TestJob.Greet("finishes"),
            new TestJob.Greet("finishes"),
            new TestJob.Greet("hangs"),
            new TestJob.Greet("hangs"));
    CountDownLatch started = new CountDownLatch(4);
    CountDownLatch closing = new CountDownLatch(1);
    Drainer<TestJob> drainer =
        drainer()
            .concurrency(4)
            .handler(
                job -> {
                  started.countDown();
                  closing.await();
                  if (((TestJob.Greet) job.payload()).name().equals("hangs")) {
                    Thread.sleep(TimeUnit.MINUTES.toMillis(5)); // until interrupted
                  }
                  return Outcome.done();
                })
            .build();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      Future<DrainReport> run = thread.submit(drainer::drainOnce);
      assertTrue(started.await(1, TimeUnit.MINUTES));
      closing.countDown();
      drainer.close(Duration.ofMillis(500));
      // Read before the drainOnce() is awaited: close() returned only once its writes were made.
      assertEquals(-1, attempts(ids.get(0)), "finished within the deadline: done");
      assertEquals(-1, attempts(ids.get(1)));
      assertEquals(0, attempts(ids.get(2)), "still running: released, attempt not counted");
      assertEquals(0, attempts(ids.get(3)));
      DrainReport report = run.get();
      assertEquals(2, report.succeeded());
      assertEquals(2, report.released());
      assertEquals(0, report.retried(), "no running job was recorded as a failure");
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void isRunningIsTrueOnlyWhileAStartedLoopIsAlive() throws Exception {
    FaultyDataSource faulty = new FaultyDataSource(dataSource);
    Drainer<TestJob> drainer =
        outboxOn(faulty)
            .build()
            .drainer()
            .listen(false)
            .pollInterval(Duration.ofMillis(20))
            .handler(job -> Outcome.done())
            .build();
    assertFalse(drainer.isRunning(), "not started");
    drainer.start();
    assertTrue(drainer.isRunning());
    faulty.error = new AssertionError("a broken driver");
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (drainer.isRunning() && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertFalse(drainer.isRunning(), "a loop that died says so");
    drainer.close();

    Drainer<TestJob> healthy = drainer().listen(false).handler(job -> Outcome.done()).build();
    healthy.start();
    assertTrue(healthy.isRunning());
    healthy.close();
    assertFalse(healthy.isRunning(), "closed");
  }

  @Test
  void aStartedDrainerOnAPoolOfOneDrainsWhenNotListening() throws Exception {
    enqueueCommitted(new TestJob.Greet("a"), new TestJob.Greet("b"), new TestJob.Greet("c"));
    try (HikariDataSource one = smallPool(1, 2_000);
        Drainer<TestJob> drainer =
            outboxOn(one)
                .build()
                .drainer()
                .listen(false)
                .pollInterval(Duration.ofMillis(20))
                .handler(job -> Outcome.done())
                .build()) {
      drainer.start();
      long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (count(jobTable) > 0 && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertEquals(0, count(jobTable));
    }
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

  /** A data source that counts the connections its pool refused, and throws an error if set. */
  static final class FaultyDataSource implements DataSource {
    final AtomicInteger refused = new AtomicInteger();
    volatile Error error;
    private final DataSource pool;

    FaultyDataSource(DataSource pool) {
      this.pool = pool;
    }

    @Override
    public Connection getConnection() throws SQLException {
      if (error != null) {
        throw error;
      }
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
