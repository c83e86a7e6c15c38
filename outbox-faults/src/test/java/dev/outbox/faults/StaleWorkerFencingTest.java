package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scenario 4: a drainer whose lease expired while its handlers ran, and whose jobs another drainer
 * has reclaimed and still holds, tries to finish them every way there is. None of its writes may
 * apply: the jobs stay exactly as the new holder left them, nothing reaches the dead letters, and
 * the new holder then completes them. (DrainContract covers the stale completion on its own.)
 */
class StaleWorkerFencingTest {
  private static final int JOBS = 5;
  private static final Figures FIGURES = Figures.of("4 stale worker fencing, all databases");
  private static final AtomicInteger CASES = new AtomicInteger();
  private static final AtomicLong REFUSED = new AtomicLong();
  private static final AtomicLong APPLIED = new AtomicLong();

  @AfterAll
  static void printFigures() {
    FIGURES
        .put("cases", CASES.get())
        .put("stale writes refused", REFUSED.get())
        .put("stale writes applied", APPLIED.get())
        .print();
  }

  /** What the stale drainer tries to do with the jobs it no longer holds. */
  enum StaleWrite {
    COMPLETE,
    RETRY_AFTER_FAILURE,
    RETRY_LATER_WITHOUT_ATTEMPT,
    DEAD_LETTER_NOW,
    DEAD_LETTER_NON_RETRYABLE,
    DEAD_LETTER_RETRIES_EXHAUSTED,
    RELEASE_AT_SHUTDOWN
  }

  static Stream<Arguments> cases() {
    return Stream.of(TestDatabase.values())
        .flatMap(db -> Stream.of(StaleWrite.values()).map(write -> Arguments.of(db, write)));
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("cases")
  void aStaleDrainerCannotFinishJobsAnotherDrainerReclaimed(TestDatabase database, StaleWrite write)
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (ScenarioTables tables = ScenarioTables.create(database, 8)) {
      tables.enqueueWork(JOBS);
      CountDownLatch staleRunning = new CountDownLatch(JOBS);
      CountDownLatch reclaimed = new CountDownLatch(1);
      Drainer<FaultJob> stale = staleDrainer(tables, write, staleRunning, reclaimed);
      Future<DrainReport> staleRun = threads.submit(stale::drainOnce);
      assertTrue(staleRunning.await(30, TimeUnit.SECONDS), "the stale drainer's handlers started");

      CountDownLatch freshHolding = new CountDownLatch(JOBS);
      CountDownLatch freshMayFinish = new CountDownLatch(1);
      Drainer<FaultJob> fresh =
          tables
              .outbox
              .drainer()
              .lease(Duration.ofMinutes(1))
              .handler(
                  job -> {
                    freshHolding.countDown();
                    freshMayFinish.await(1, TimeUnit.MINUTES);
                    return Outcome.done();
                  })
              .build();
      Future<DrainReport> freshRun = threads.submit(() -> claimOnceLeaseExpired(tables, fresh));
      assertTrue(freshHolding.await(30, TimeUnit.SECONDS), "the fresh drainer reclaimed the jobs");

      if (write == StaleWrite.RELEASE_AT_SHUTDOWN) {
        stale.close(Duration.ofMillis(100));
      }
      reclaimed.countDown();
      DrainReport staleReport = staleRun.get(30, TimeUnit.SECONDS);
      String held = heldBy(tables);
      freshMayFinish.countDown();
      DrainReport freshReport = freshRun.get(30, TimeUnit.SECONDS);

      CASES.incrementAndGet();
      REFUSED.addAndGet(staleReport.fenced());
      APPLIED.addAndGet(JOBS - staleReport.fenced());
      assertEquals(JOBS, staleReport.fenced(), write + ": every stale write is refused");
      assertEquals(
          JOBS + " rows, " + JOBS + " leased, 0 with an error, attempts 2, 0 dead letters",
          held,
          write + ": the rows are as the new holder left them");
      assertEquals(JOBS, freshReport.succeeded(), "the new holder completes them");
      assertEquals(0, tables.pending());
      assertEquals(0, tables.deadLettered());
    } finally {
      threads.shutdownNow();
    }
  }

  /** A drainer with a 300 ms lease whose handlers outlive it, then finish the way asked. */
  private static Drainer<FaultJob> staleDrainer(
      ScenarioTables tables, StaleWrite write, CountDownLatch running, CountDownLatch reclaimed) {
    DrainerBuilder<FaultJob> builder =
        tables
            .outbox
            .drainer()
            .lease(Duration.ofMillis(300))
            .maxAttempts(write == StaleWrite.DEAD_LETTER_RETRIES_EXHAUSTED ? 1 : 10)
            .nonRetryable(IllegalArgumentException.class);
    return builder
        .handler(
            job -> {
              running.countDown();
              if (write == StaleWrite.RELEASE_AT_SHUTDOWN) {
                Thread.sleep(Long.MAX_VALUE); // interrupted at the shutdown deadline
              }
              reclaimed.await(1, TimeUnit.MINUTES);
              return switch (write) {
                case COMPLETE, RELEASE_AT_SHUTDOWN -> Outcome.done();
                case RETRY_AFTER_FAILURE, DEAD_LETTER_RETRIES_EXHAUSTED ->
                    Outcome.failed(new IllegalStateException("stale failure"));
                case RETRY_LATER_WITHOUT_ATTEMPT -> Outcome.retryAfter(Duration.ofSeconds(1));
                case DEAD_LETTER_NOW -> Outcome.deadLetter("stale verdict");
                case DEAD_LETTER_NON_RETRYABLE ->
                    Outcome.failed(new IllegalArgumentException("stale refusal"));
              };
            })
        .build();
  }

  /**
   * Claims once the stale drainer's leases have run out. It renews them while its handlers run, so
   * they are ended by hand, as if its renewals stopped reaching the database (a partition, a
   * pause).
   */
  private static DrainReport claimOnceLeaseExpired(ScenarioTables tables, Drainer<FaultJob> fresh)
      throws Exception {
    DrainReport report = DrainReport.EMPTY;
    while (report.claimed() == 0) {
      Thread.sleep(50);
      tables.execute(
          "UPDATE " + tables.jobTable() + " SET lease_until = 0 WHERE lease_token IS NOT NULL");
      report = fresh.drainOnce();
    }
    return report;
  }

  /** The rows as the test reads them, in words, so that a failure shows all of it at once. */
  private static String heldBy(ScenarioTables tables) throws Exception {
    String job = tables.jobTable();
    return tables.pending()
        + " rows, "
        + tables.queryLong("SELECT COUNT(*) FROM " + job + " WHERE lease_token IS NOT NULL")
        + " leased, "
        + tables.queryLong("SELECT COUNT(*) FROM " + job + " WHERE last_error IS NOT NULL")
        + " with an error, attempts "
        + tables.queryLong("SELECT MIN(attempts) FROM " + job)
        + ", "
        + tables.deadLettered()
        + " dead letters";
  }
}
