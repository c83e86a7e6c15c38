package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Guarantee 9: connections are bounded by the drainer's concurrency and returned on every path. */
public abstract class ResourceContract extends OutboxTestBase {

  @Test
  void connectionsAreReturnedOnEveryPath() throws Exception {
    enqueueCommitted(
        new TestJob.Greet("ok"),
        new TestJob.Boom("fails"),
        new TestJob.Effect(1),
        new TestJob.Effect(2));
    insertRaw("Garbage", "{");
    Drainer<TestJob> drainer =
        drainer()
            .maxAttempts(1)
            .handler(
                job -> {
                  if (job.payload() instanceof TestJob.Boom) {
                    throw new IllegalStateException("boom");
                  }
                  return Outcome.done();
                })
            .transactional(
                TestJob.Effect.class,
                (job, tx) -> {
                  if (job.payload().n() == 2) {
                    throw new IllegalStateException("tx boom");
                  }
                  return Outcome.done();
                })
            .build();
    var report = drainer.drainOnce();
    assertEquals(5, report.claimed());
    assertEquals(0, dataSource.getHikariPoolMXBean().getActiveConnections());
  }

  @Test
  void noConnectionTransactionOrRowLockIsHeldWhileAnOrdinaryHandlerRuns() throws Exception {
    long id = enqueueCommitted(new TestJob.Greet("probe")).get(0);
    AtomicInteger activeDuringHandler = new AtomicInteger(-1);
    AtomicBoolean rowWasFree = new AtomicBoolean();
    Drainer<TestJob> drainer =
        drainer()
            .handler(
                job -> {
                  activeDuringHandler.set(dataSource.getHikariPoolMXBean().getActiveConnections());
                  try (Connection probe = dataSource.getConnection()) {
                    probe.setAutoCommit(false);
                    try (PreparedStatement lock =
                        probe.prepareStatement(
                            "SELECT id FROM " + jobTable + " WHERE id = ? FOR UPDATE NOWAIT")) {
                      lock.setLong(1, job.id());
                      try (ResultSet row = lock.executeQuery()) {
                        rowWasFree.set(row.next());
                      }
                    }
                    probe.rollback();
                  }
                  return Outcome.done();
                })
            .build();
    assertEquals(1, drainer.drainOnce().succeeded());
    assertEquals(
        0, activeDuringHandler.get(), "the drainer held a connection while the handler ran");
    assertTrue(rowWasFree.get(), "the job row " + id + " was locked while its handler ran");
  }

  @Test
  void aDrainerNeverHoldsMoreConnectionsThanItsConcurrencyPlusOne() throws Exception {
    TestJob[] jobs = new TestJob[60];
    for (int i = 0; i < jobs.length; i++) {
      jobs[i] = new TestJob.Effect(i);
    }
    enqueueCommitted(jobs);
    AtomicInteger peak = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (running.get()) {
                peak.accumulateAndGet(
                    dataSource.getHikariPoolMXBean().getActiveConnections(), Math::max);
                Thread.onSpinWait();
              }
            });
    sampler.start();
    Drainer<TestJob> drainer =
        drainer()
            .concurrency(3)
            .batchSize(60)
            .transactionalHandler(
                (job, tx) -> {
                  Thread.sleep(5);
                  return Outcome.done();
                })
            .build();
    assertEquals(60, drainer.drainOnce().succeeded());
    running.set(false);
    sampler.join();
    assertTrue(peak.get() >= 1 && peak.get() <= 4, "peak active connections " + peak.get());
  }
}
