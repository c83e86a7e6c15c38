package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scenario 8: ordering keys under producers whose transactions overlap. For each chunk of keys,
 * producer A inserts a step of every key (the lower ids), producer B then inserts the next step of
 * the same keys and commits first, and A commits once half of B's steps run (they take 20 ms); two
 * drainers run meanwhile, so many of B's steps are running when A's lower-id steps appear. No two
 * jobs of one key may ever run at once; B's step running first is the documented order for such
 * producers.
 */
class OverlappingProducersOrderingTest {
  private static final int CHUNK = 50;
  private static final int ROUNDS = 2;

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void jobsOfOneKeyNeverRunAtOnceWhenALowerIdCommitsAfterAHigherOne(TestDatabase database)
      throws Exception {
    int keys = database == TestDatabase.H2 ? 1_000 : 3_000;
    Figures figures = Figures.of("8 overlapping producers, ordering keys, " + database);
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger laterStarted = new AtomicInteger();
    long jobs;
    try (ScenarioTables tables = ScenarioTables.create(database, 4);
        DrainerFleet fleet =
            DrainerFleet.start(
                tables,
                2,
                6,
                drainer ->
                    drainer
                        .batchSize(20)
                        .concurrency(8)
                        .handler(
                            job -> {
                              FaultJob.Step step = (FaultJob.Step) job.payload();
                              runs.computeIfAbsent(step.n(), n -> new AtomicInteger())
                                  .incrementAndGet();
                              AtomicInteger running =
                                  inFlight.computeIfAbsent(step.key(), k -> new AtomicInteger());
                              if (running.incrementAndGet() > 1) {
                                overlaps.incrementAndGet();
                              }
                              seen.computeIfAbsent(
                                      step.key(),
                                      k -> Collections.synchronizedList(new ArrayList<>()))
                                  .add(step.seq());
                              if (step.seq() % 2 == 1) {
                                laterStarted.incrementAndGet();
                                Thread.sleep(20); // still running when the lower ids commit
                              }
                              running.decrementAndGet();
                              return Outcome.done();
                            }))) {
      jobs = produce(tables, keys, laterStarted);
      fleet.awaitDrained(tables, Duration.ofMinutes(4));
      long laterFirst =
          seen.values().stream()
              .filter(order -> order.size() > 1 && order.get(0) > order.get(1))
              .count();
      long duplicated = runs.values().stream().mapToLong(r -> r.get() - 1).sum();
      figures
          .put("keys", keys)
          .put("jobs", jobs)
          .put("overlapping runs in a key", overlaps.get())
          .put("keys whose later-committed lower id ran second", laterFirst)
          .put("lost", jobs - runs.size())
          .put("duplicated", duplicated)
          .put("dead-lettered", tables.deadLettered())
          .print();
      assertEquals(0, overlaps.get(), "two jobs of one key ran at once");
      assertEquals(jobs, runs.size(), "every committed job ran");
      assertEquals(0, duplicated, "no job ran twice");
      assertEquals(0, tables.deadLettered());
    }
  }

  /** Both producers' transactions, chunk after chunk; returns how many jobs they committed. */
  private static long produce(ScenarioTables tables, int keys, AtomicInteger laterStarted)
      throws Exception {
    long n = 0;
    try (Connection a = tables.dataSource.getConnection();
        Connection b = tables.dataSource.getConnection()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      for (int round = 0; round < ROUNDS; round++) {
        for (int first = 0; first < keys; first += CHUNK) {
          for (int k = first; k < first + CHUNK; k++) {
            enqueue(tables, a, n++, k, 2 * round);
          }
          for (int k = first; k < first + CHUNK; k++) {
            enqueue(tables, b, n++, k, 2 * round + 1);
          }
          int started = laterStarted.get();
          b.commit();
          awaitAStart(laterStarted, started);
          a.commit();
        }
      }
    }
    return n;
  }

  /** Waits a little for half of B's chunk to start, so that A commits while they run. */
  private static void awaitAStart(AtomicInteger laterStarted, int before)
      throws InterruptedException {
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (laterStarted.get() < before + CHUNK / 2 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
  }

  private static void enqueue(ScenarioTables tables, Connection tx, long n, int key, int seq) {
    String name = "key-" + key;
    tables.outbox.enqueue(
        tx, new FaultJob.Step(n, name, seq), EnqueueOptions.defaults().withOrderingKey(name));
  }
}
