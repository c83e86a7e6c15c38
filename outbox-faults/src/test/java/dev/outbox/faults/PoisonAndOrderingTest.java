package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Backoff;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scenario 5: poison jobs and ordering keys. A fraction of jobs always fails; some ordering keys
 * start with (or hold) a poison job. Exactly the poison jobs end in the dead letters, with their
 * reason, attempts and error text, and every ordering key moves on, in order, once its poison job
 * has died. (Garbage rows: {@link GarbageRowsTest}.)
 */
class PoisonAndOrderingTest {
  private static final int MAX_ATTEMPTS = 3;
  private static final int DRAINERS = 3;

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void jobsThatAlwaysFailAndOnlyThoseEndInTheDeadLettersAfterTheConfiguredAttempts(
      TestDatabase database) throws Exception {
    int jobs = 2_000;
    Figures figures = Figures.of("5a poison jobs, " + database);
    Set<Long> poison = new TreeSet<>();
    List<FaultJob> all = new ArrayList<>();
    for (long n = 0; n < jobs; n++) {
      boolean bad = n % 10 == 3; // one job in ten
      all.add(bad ? new FaultJob.Poison(n) : new FaultJob.Work(n));
      if (bad) {
        poison.add(n);
      }
    }
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    try (ScenarioTables tables = ScenarioTables.create(database, 4)) {
      tables.enqueue(all, EnqueueOptions.defaults());
      DrainReport totals;
      try (DrainerFleet fleet = poisonFleet(tables, runs)) {
        fleet.awaitDrained(tables, Duration.ofMinutes(2));
        fleet.close(); // a started drainer counts a batch once its outcomes are written
        totals = fleet.totals();
      }
      List<DeadLetter> letters = tables.deadLetters();
      Set<Long> buried = numbers(tables, letters);
      long workRuns =
          runs.entrySet().stream()
              .filter(e -> !poison.contains(e.getKey()))
              .mapToLong(e -> e.getValue().get())
              .sum();
      figures
          .put("jobs", jobs)
          .put("poison", poison.size())
          .put("dead-lettered", letters.size())
          .put("lost", jobs - runs.size())
          .put("duplicated", workRuns - (jobs - poison.size()))
          .put("failed attempts", totals.retried() + totals.deadLettered())
          .print();
      assertEquals(poison, buried, "exactly the poison jobs are dead-lettered");
      for (DeadLetter letter : letters) {
        long n = tables.number(letter);
        assertEquals(DeadLetterReason.RETRIES_EXHAUSTED, letter.reason(), "job " + n);
        assertEquals(MAX_ATTEMPTS, letter.attempts(), "job " + n);
        assertTrue(
            letter.error().contains("IllegalStateException: poison " + n + " always fails"),
            letter.error());
        assertEquals(MAX_ATTEMPTS, runs.get(n).get(), "runs of poison job " + n);
      }
      assertEquals(jobs - poison.size(), workRuns, "every other job ran exactly once");
      assertEquals(0, tables.pending());
    }
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void anOrderingKeyWhosePoisonJobDiesMovesOnInOrder(TestDatabase database) throws Exception {
    int keys = 30;
    int steps = 10;
    Figures figures = Figures.of("5c poison in ordering keys, " + database);
    Set<Long> poison = new TreeSet<>();
    Map<String, List<Integer>> expected = new TreeMap<>();
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    try (ScenarioTables tables = ScenarioTables.create(database, 4)) {
      long n = 0;
      try (Connection tx = tables.dataSource.getConnection()) {
        tx.setAutoCommit(false);
        for (int k = 0; k < keys; k++) {
          String key = "cart-" + k;
          List<Integer> order = new ArrayList<>();
          for (int seq = 0; seq < steps; seq++) {
            // a third of the keys start with a poison job, a third hold one in the middle
            boolean bad = (k % 3 == 0 && seq == 0) || (k % 3 == 1 && seq == steps / 2);
            FaultJob job = bad ? new FaultJob.Poison(n) : new FaultJob.Step(n, key, seq);
            tables.outbox.enqueue(tx, job, EnqueueOptions.defaults().withOrderingKey(key));
            if (bad) {
              poison.add(n);
            } else {
              order.add(seq);
            }
            n++;
          }
          expected.put(key, order);
        }
        tx.commit();
      }
      try (DrainerFleet fleet =
          DrainerFleet.start(
              tables,
              DRAINERS,
              4,
              drainer ->
                  drainer
                      .batchSize(20)
                      .maxAttempts(MAX_ATTEMPTS)
                      .backoff(Backoff.fixed(Duration.ofMillis(20)))
                      .handler(
                          job -> {
                            long number = job.payload().n();
                            runs.computeIfAbsent(number, x -> new AtomicInteger())
                                .incrementAndGet();
                            String key = job.orderingKey().get();
                            if (inFlight
                                    .computeIfAbsent(key, x -> new AtomicInteger())
                                    .incrementAndGet()
                                > 1) {
                              overlaps.incrementAndGet();
                            }
                            try {
                              if (job.payload() instanceof FaultJob.Poison) {
                                throw new IllegalStateException(
                                    "poison " + number + " always fails");
                              }
                              seen.computeIfAbsent(
                                      key, x -> Collections.synchronizedList(new ArrayList<>()))
                                  .add(((FaultJob.Step) job.payload()).seq());
                              return Outcome.done();
                            } finally {
                              inFlight.get(key).decrementAndGet();
                            }
                          }))) {
        fleet.awaitDrained(tables, Duration.ofMinutes(2));
      }
      List<DeadLetter> letters = tables.deadLetters();
      long outOfOrder =
          expected.entrySet().stream()
              .filter(e -> !e.getValue().equals(seen.get(e.getKey())))
              .count();
      figures
          .put("keys", keys)
          .put("jobs", n)
          .put("poison", poison.size())
          .put("dead-lettered", letters.size())
          .put("keys out of order", outOfOrder)
          .put("overlapping runs in a key", overlaps.get())
          .print();
      assertEquals(poison, numbers(tables, letters), "exactly the poison jobs are dead-lettered");
      assertTrue(
          letters.stream()
              .allMatch(
                  l ->
                      l.reason() == DeadLetterReason.RETRIES_EXHAUSTED
                          && l.attempts() == MAX_ATTEMPTS
                          && l.orderingKey().isDefined()),
          "after " + MAX_ATTEMPTS + " attempts, with their key");
      assertEquals(expected, new TreeMap<>(seen), "every key ran the rest of its steps in order");
      assertEquals(0, overlaps.get(), "two jobs of one key ran at once");
      assertEquals(0, tables.pending());
    }
  }

  // -- helpers

  private static Set<Long> numbers(ScenarioTables tables, List<DeadLetter> letters) {
    return letters.stream().map(tables::number).collect(Collectors.toCollection(TreeSet::new));
  }

  private static DrainerFleet poisonFleet(ScenarioTables tables, Map<Long, AtomicInteger> runs) {
    return DrainerFleet.start(
        tables,
        DRAINERS,
        4,
        drainer ->
            drainer
                .batchSize(50)
                .maxAttempts(MAX_ATTEMPTS)
                .backoff(Backoff.fixed(Duration.ofMillis(20)))
                .handler(
                    job -> {
                      long n = job.payload().n();
                      runs.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
                      if (job.payload() instanceof FaultJob.Poison) {
                        throw new IllegalStateException("poison " + n + " always fails");
                      }
                      return Outcome.done();
                    }));
  }
}
