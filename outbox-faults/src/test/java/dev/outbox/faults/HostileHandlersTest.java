package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Backoff;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.Stubborn;
import dev.outbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scenario 10: handlers a hostile user writes. One overflows its stack; one never returns and
 * ignores its interrupt; all take three leases; transactional ones starve the pool. Two started
 * drainers share the tables in each case: every job ends handled (or, for the hung one,
 * dead-lettered with its timeout named), no good job runs twice, and none is dead-lettered unless
 * its own handler ran and failed.
 */
class HostileHandlersTest {
  private static final Backoff QUICK = Backoff.fixed(Duration.ofMillis(100));

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void aStackOverflowInOneHandlerFailsThatJobAloneAndItsBatchIsWrittenOnce(TestDatabase database)
      throws Exception {
    Figures figures = Figures.of("10a stack overflow in one handler, " + database);
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    try (ScenarioTables tables = ScenarioTables.create(database, 4)) {
      tables.enqueueWork(50);
      try (DrainerFleet fleet =
          twoDrainers(
              tables,
              drainer ->
                  drainer
                      .batchSize(50)
                      .maxAttempts(3)
                      .backoff(QUICK)
                      .handler(
                          job -> {
                            long n = job.payload().n();
                            int run =
                                runs.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
                            if (n == 41 && run == 1) {
                              recurse(0);
                            }
                            return Outcome.done();
                          }))) {
        fleet.awaitDrained(tables, Duration.ofMinutes(1));
      }
      long once = runs.values().stream().filter(count -> count.get() == 1).count();
      figures
          .put("jobs", 50)
          .put("ran once", once)
          .put("runs of the overflowing job", runs.get(41L).get())
          .put("dead-lettered", tables.deadLettered())
          .print();
      assertEquals(50, runs.size());
      assertEquals(49, once, "its 49 neighbours ran once");
      assertEquals(2, runs.get(41L).get(), "failed once, then succeeded on its retry");
      assertEquals(0, tables.deadLettered());
    }
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void aHandlerThatNeverReturnsFailsAtItsTimeoutAndFreezesNoDrainer(TestDatabase database)
      throws Exception {
    Figures figures = Figures.of("10b a handler that never returns, " + database);
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    CountDownLatch never = new CountDownLatch(1);
    try (ScenarioTables tables = ScenarioTables.create(database, 4)) {
      tables.enqueueWork(50);
      try (DrainerFleet fleet =
          twoDrainers(
              tables,
              drainer ->
                  drainer
                      .batchSize(25)
                      .concurrency(2)
                      .lease(Duration.ofSeconds(1))
                      .handlerTimeout(Duration.ofSeconds(1))
                      .maxAttempts(2)
                      .backoff(QUICK)
                      .handler(
                          job -> {
                            long n = job.payload().n();
                            runs.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
                            if (n == 7) {
                              Stubborn.await(never);
                            }
                            return Outcome.done();
                          }))) {
        fleet.awaitDrained(tables, Duration.ofMinutes(1));
      } finally {
        never.countDown();
      }
      List<DeadLetter> letters = tables.deadLetters();
      long once = runs.values().stream().filter(count -> count.get() == 1).count();
      figures
          .put("jobs", 50)
          .put("others ran once", once)
          .put("runs of the hung job", runs.get(7L).get())
          .put("dead-lettered", letters.size())
          .put("left", tables.pending())
          .print();
      assertEquals(49, once);
      assertEquals(2, runs.get(7L).get(), "one run per attempt, never a duplicate");
      assertEquals(1, letters.size());
      assertEquals(7, tables.number(letters.get(0)));
      assertEquals(DeadLetterReason.RETRIES_EXHAUSTED, letters.get(0).reason());
      assertTrue(letters.get(0).error().contains("timeout of PT1S"), letters.get(0).error());
    }
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void handlersThreeLeasesLongRunOnceWhileTheirDrainerRenews(TestDatabase database)
      throws Exception {
    Figures figures = Figures.of("10c handlers three leases long, " + database);
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    try (ScenarioTables tables = ScenarioTables.create(database, 4)) {
      tables.enqueueWork(8);
      try (DrainerFleet fleet =
          twoDrainers(
              tables,
              drainer ->
                  drainer
                      .batchSize(4)
                      .concurrency(4)
                      .lease(Duration.ofSeconds(1))
                      .handler(
                          job -> {
                            runs.computeIfAbsent(job.payload().n(), k -> new AtomicInteger())
                                .incrementAndGet();
                            Thread.sleep(3_000);
                            return Outcome.done();
                          }))) {
        fleet.awaitDrained(tables, Duration.ofMinutes(1));
      }
      long twice = runs.values().stream().filter(count -> count.get() > 1).count();
      figures
          .put("jobs", 8)
          .put("lease", "1 s")
          .put("handler", "3 s")
          .put("ran more than once", twice)
          .print();
      assertEquals(8, runs.size());
      assertEquals(0, twice);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void aStarvedPoolNeverDeadLettersAJobWhoseHandlerDidNotRun(TestDatabase database)
      throws Exception {
    Figures figures = Figures.of("10d transactional handlers starving the pool, " + database);
    int jobs = 100;
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    try (ScenarioTables tables = ScenarioTables.create(database, 4)) {
      tables.enqueueWork(jobs);
      try (DrainerFleet fleet =
          DrainerFleet.start(
              tables,
              2,
              3, // connections for 8 transactional handlers
              drainer ->
                  drainer
                      .listen(false)
                      .batchSize(20)
                      .concurrency(8)
                      .lease(Duration.ofSeconds(10))
                      .maxAttempts(3)
                      .backoff(QUICK)
                      .transactionalHandler(
                          (job, tx) -> {
                            runs.computeIfAbsent(job.payload().n(), k -> new AtomicInteger())
                                .incrementAndGet();
                            Thread.sleep(300);
                            return Outcome.done();
                          }))) {
        fleet.pools().forEach(pool -> pool.setConnectionTimeout(1_000));
        fleet.awaitDrained(tables, Duration.ofMinutes(2));
        fleet.close();
        figures
            .put("jobs", jobs)
            .put("pool", "3 connections, 1 s timeout, 8 handlers")
            .put("ran", runs.size())
            .put("snoozed for want of a connection", fleet.totals().snoozed())
            .put("dead-lettered", tables.deadLettered())
            .print();
      }
      assertEquals(jobs, runs.size());
      assertTrue(runs.values().stream().allMatch(count -> count.get() == 1));
      assertEquals(0, tables.deadLettered(), "no job dead-lettered without its handler running");
    }
  }

  /** Two started drainers, each with a pool of four. */
  private static DrainerFleet twoDrainers(
      ScenarioTables tables, UnaryOperator<DrainerBuilder<FaultJob>> settings) {
    return DrainerFleet.start(tables, 2, 4, settings);
  }

  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }
}
