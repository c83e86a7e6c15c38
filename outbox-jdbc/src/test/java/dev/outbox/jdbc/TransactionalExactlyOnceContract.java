package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.Backoff;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once effects of transactional handlers under contention: several drainers sharing the
 * tables, leases that expire while handlers run, jobs reclaimed by another drainer. The same
 * workload with an ordinary handler shows what at-least-once allows.
 */
public abstract class TransactionalExactlyOnceContract extends OutboxTestBase {
  private static final Duration SHORT_LEASE = Duration.ofMillis(250);
  private static final int DRAINERS = 2;
  private static final int THREADS_PER_DRAINER = 3;

  private final AtomicInteger duplicateEffects = new AtomicInteger();

  private static final int JOBS = 2_000;

  /**
   * What every handler of the workload does besides writing its effect, on the first run only: six
   * jobs in every hundred (consecutive ids, so that they fill a drainer's handler threads and the
   * rest of its batch waits) outlive their lease, and one in forty fails after its write.
   */
  private static void misbehaveOnFirstRun(Job<? extends TestJob> job) throws Exception {
    if (job.attempt() > 1) {
      return;
    }
    if (job.id() % 100 < 6) {
      Thread.sleep(SHORT_LEASE.toMillis() * 2);
    } else if (job.id() % 40 == 7) {
      throw new IllegalStateException("fails after its write on the first run");
    }
  }

  private void insertEffect(Connection connection, String table, long id) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO " + table + " (id, note) VALUES (?, ?)")) {
      insert.setLong(1, id);
      insert.setString(2, Thread.currentThread().getName());
      insert.executeUpdate();
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
        duplicateEffects.incrementAndGet();
      }
      throw e;
    }
  }

  private void enqueueWorkload() throws SQLException {
    List<TestJob> jobs = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      jobs.add(new TestJob.Effect(i));
    }
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      assertEquals(jobs.size(), outbox.enqueueAll(tx, jobs));
      tx.commit();
    }
  }

  /**
   * Drains the workload with {@value #DRAINERS} drainers, each driven by {@value
   * #THREADS_PER_DRAINER} threads, until the job table is empty; returns their summed totals.
   */
  private DrainReport drainWithManyDrainers(UnaryOperator<DrainerBuilder<TestJob>> handlers)
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(DRAINERS * THREADS_PER_DRAINER);
    List<Drainer<TestJob>> drainers = new ArrayList<>();
    List<Future<?>> loops = new ArrayList<>();
    AtomicInteger storeFailures = new AtomicInteger();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int d = 0; d < DRAINERS; d++) {
      Drainer<TestJob> drainer =
          handlers
              .apply(
                  drainer()
                      .name("drainer-" + d)
                      .batchSize(20)
                      .concurrency(5)
                      .lease(SHORT_LEASE)
                      .maxAttempts(100)
                      .backoff(Backoff.fixed(Duration.ofMillis(20))))
              .build();
      drainers.add(drainer);
      for (int t = 0; t < THREADS_PER_DRAINER; t++) {
        loops.add(threads.submit(() -> drainUntilEmpty(drainer, deadline, storeFailures)));
      }
    }
    for (Future<?> loop : loops) {
      loop.get(90, TimeUnit.SECONDS);
    }
    threads.shutdown();
    drainers.forEach(Drainer::close);
    if (storeFailures.get() > 0) {
      System.out.printf(
          "[%s] %d drain cycle(s) hit a store failure%n", database(), storeFailures.get());
    }
    return drainers.stream().map(Drainer::totals).reduce(DrainReport.EMPTY, DrainReport::plus);
  }

  private Void drainUntilEmpty(Drainer<TestJob> drainer, long deadline, AtomicInteger failures)
      throws Exception {
    while (count(jobTable) > 0) {
      assertTrue(System.nanoTime() < deadline, "the workload did not drain within a minute");
      try {
        if (drainer.drainOnce().claimed() == 0) {
          Thread.sleep(20);
        }
      } catch (RuntimeException e) {
        // A production drainer logs this and tries again; so does this loop.
        failures.incrementAndGet();
        Thread.sleep(20);
      }
    }
    return null;
  }

  private void print(String shape, DrainReport totals, long effects, long distinct) {
    System.out.printf(
        "[%s] %s handler: %d jobs, %d effect rows for %d distinct jobs, %d duplicate(s);"
            + " %d claims, %d failures retried, %d outcomes fenced%n",
        database(),
        shape,
        JOBS,
        effects,
        distinct,
        effects - distinct,
        totals.claimed(),
        totals.retried(),
        totals.fenced());
  }

  @Test
  void manyDrainersWithExpiringLeasesCommitExactlyOneTransactionalEffectPerJob() throws Exception {
    enqueueWorkload();
    DrainReport totals =
        drainWithManyDrainers(
            builder ->
                builder
                    .handler(job -> Outcome.failed(new AssertionError("not a transactional kind")))
                    .transactional(
                        TestJob.Effect.class,
                        (job, tx) -> {
                          insertEffect(tx, effectTable, job.id());
                          misbehaveOnFirstRun(job);
                          return Outcome.done();
                        }));
    long effects = count(effectTable);
    print("transactional", totals, effects, effects);
    assertEquals(0, duplicateEffects.get(), "no job's effect was attempted while another held it");
    assertEquals(JOBS, effects, "one effect per committed job: none missing, none twice");
    assertEquals(0, count(jobTable));
    assertEquals(0, count(deadLetterTable));
  }

  @Test
  void anOrdinaryHandlerUnderTheSameWorkloadLosesNothingButMayRepeatEffects() throws Exception {
    String plainEffects = effectTable + "_plain";
    execute("CREATE TABLE " + plainEffects + " (id BIGINT NOT NULL, note VARCHAR(100))");
    try {
      enqueueWorkload();
      DrainReport totals =
          drainWithManyDrainers(
              builder ->
                  builder.handler(
                      job -> {
                        try (Connection own = dataSource.getConnection()) {
                          insertEffect(own, plainEffects, job.id());
                        }
                        misbehaveOnFirstRun(job);
                        return Outcome.done();
                      }));
      long effects = count(plainEffects);
      long distinct = queryLong("SELECT COUNT(DISTINCT id) FROM " + plainEffects);
      print("ordinary", totals, effects, distinct);
      // How many duplicates is up to timing, so it is printed, not asserted; nothing lost is.
      assertEquals(JOBS, distinct, "at least once: every committed job had its effect");
      assertEquals(0, count(jobTable));
    } finally {
      TestDatabase.drop(dataSource, plainEffects);
    }
  }

  @Test
  void aStaleDrainerNeverRunsItsTransactionalHandlerForAJobReclaimedByAnother() throws Exception {
    enqueueCommitted(new TestJob.Effect(1), new TestJob.Effect(2));
    long first = queryLong("SELECT MIN(id) FROM " + jobTable);
    long second = queryLong("SELECT MAX(id) FROM " + jobTable);
    Map<Long, List<String>> ranBy = new ConcurrentHashMap<>();
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    // One handler thread: while the first job's handler runs past the lease, the second job's
    // handler waits its turn with a lease that has already expired.
    Drainer<TestJob> stale =
        drainer()
            .name("stale")
            .concurrency(1)
            .lease(Duration.ofMillis(300))
            .handler(job -> Outcome.done())
            .transactional(
                TestJob.Effect.class,
                (job, tx) -> {
                  ranBy.computeIfAbsent(job.id(), id -> new CopyOnWriteArrayList<>()).add("stale");
                  insertEffect(tx, effectTable, job.id());
                  if (job.id() == first) {
                    firstRunning.countDown();
                    assertTrue(releaseFirst.await(30, TimeUnit.SECONDS));
                  }
                  return Outcome.done();
                })
            .build();
    Drainer<TestJob> holder =
        drainer()
            .name("holder")
            .handler(job -> Outcome.done())
            .transactional(
                TestJob.Effect.class,
                (job, tx) -> {
                  ranBy.computeIfAbsent(job.id(), id -> new CopyOnWriteArrayList<>()).add("holder");
                  insertEffect(tx, effectTable, job.id());
                  return Outcome.done();
                })
            .build();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    Future<DrainReport> staleRun = thread.submit(stale::drainOnce);
    assertTrue(firstRunning.await(30, TimeUnit.SECONDS));
    DrainReport taken = DrainReport.EMPTY;
    for (int polls = 0; taken.claimed() == 0 && polls < 300; polls++) {
      Thread.sleep(50);
      taken = holder.drainOnce();
    }
    releaseFirst.countDown();
    DrainReport staleReport = staleRun.get(30, TimeUnit.SECONDS);
    thread.shutdown();

    assertEquals(1, taken.claimed(), "only the job whose handler had not started was reclaimed");
    assertEquals(1, taken.succeeded());
    assertEquals(List.of("holder"), ranBy.get(second), "the stale drainer never ran it");
    assertEquals(List.of("stale"), ranBy.get(first), "the job it held locked was not reclaimed");
    assertEquals(1, staleReport.succeeded());
    assertEquals(1, staleReport.fenced());
    assertEquals(2, count(effectTable));
    assertEquals(
        1,
        queryLong(
            "SELECT COUNT(*) FROM " + effectTable + " WHERE id = ? AND note LIKE ?",
            second,
            "holder-%"),
        "the second job's effect was written by the holder's handler thread");
    assertEquals(0, count(jobTable));
  }
}
