package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scenario 5, garbage: rows written by hand that cannot be parsed (an unknown kind, a Java class
 * name as kind, broken JSON, a payload of the wrong shape), some at the head of an ordering key,
 * among good jobs. They are dead-lettered at once as unparseable, never reach a handler and never
 * hold up their key.
 */
class GarbageRowsTest {
  private static final int DRAINERS = 3;

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void garbageRowsAreDeadLetteredAtOnceAsUnparseableAndNeverBlockTheirOrderingKey(
      TestDatabase database) throws Exception {
    Figures figures = Figures.of("5b garbage rows, " + database);
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    List<Garbage> garbage =
        List.of(
            new Garbage("NoSuchKind", "{\"n\":1}", "unknown kind 'NoSuchKind'"),
            new Garbage(
                "java.lang.ProcessBuilder", "{\"command\":[\"rm\",\"-rf\"]}", "unknown kind"),
            new Garbage("Work", "{\"n\":", "not valid JSON"),
            new Garbage("Work", "not json at all", "not valid JSON"),
            new Garbage("Work", "[1,2,3]", "does not fit"),
            new Garbage("Work", "{\"n\":\"eleven\"}", "does not fit"),
            new Garbage("Step", "{\"n\":{\"nested\":true}}", "does not fit"));
    int rounds = 20;
    List<FaultJob> good = new ArrayList<>();
    try (ScenarioTables tables = ScenarioTables.create(database, 4)) {
      long n = 0;
      for (int round = 0; round < rounds; round++) {
        for (Garbage row : garbage) {
          tables.insertRaw(row.kind(), row.payload(), round % 2 == 0 ? "key-" + round : null);
        }
        List<FaultJob> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          batch.add(new FaultJob.Step(n++, "key-" + round, i));
        }
        enqueueOrdered(tables, batch);
        good.addAll(batch);
      }
      Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
      try (DrainerFleet fleet =
          DrainerFleet.start(
              tables,
              DRAINERS,
              4,
              drainer ->
                  drainer
                      .batchSize(25)
                      .handler(
                          job -> {
                            runs.computeIfAbsent(job.payload().n(), k -> new AtomicInteger())
                                .incrementAndGet();
                            if (job.payload() instanceof FaultJob.Step step) {
                              seen.computeIfAbsent(
                                      step.key(),
                                      k -> Collections.synchronizedList(new ArrayList<>()))
                                  .add(step.seq());
                            }
                            return Outcome.done();
                          }))) {
        fleet.awaitDrained(tables, Duration.ofMinutes(2));
      }
      List<DeadLetter> letters = tables.deadLetters();
      Map<String, Long> byError = new TreeMap<>();
      for (DeadLetter letter : letters) {
        Garbage row =
            garbage.stream()
                .filter(g -> g.kind().equals(letter.kind()) && g.payload().equals(letter.payload()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("not garbage: " + letter));
        assertTrue(letter.error().contains(row.error()), row.error() + " in " + letter.error());
        byError.merge(
            row.error().startsWith("unknown kind") ? "unknown kind" : row.error(), 1L, Long::sum);
      }
      figures
          .put("garbage rows", garbage.size() * rounds)
          .put("good jobs", good.size())
          .put("dead-lettered", letters.size())
          .put("by error", byError)
          .put("good handled", runs.size())
          .put("lost", good.size() - runs.size())
          .print();
      assertEquals(garbage.size() * rounds, letters.size());
      assertTrue(
          letters.stream()
              .allMatch(l -> l.reason() == DeadLetterReason.UNPARSEABLE && l.attempts() == 1),
          "unparseable, at the first claim");
      assertEquals(good.size(), runs.size(), "every good job ran");
      assertTrue(runs.values().stream().allMatch(c -> c.get() == 1), "once each");
      for (int round = 0; round < rounds; round++) {
        assertEquals(
            java.util.stream.IntStream.range(0, 50).boxed().toList(),
            seen.get("key-" + round),
            "key-" + round + " in order past its garbage head");
      }
    }
  }

  // -- helpers

  /** A row written by hand, and the words its dead letter's error must hold. */
  private record Garbage(String kind, String payload, String error) {}

  private static void enqueueOrdered(ScenarioTables tables, List<FaultJob> steps) throws Exception {
    try (Connection tx = tables.dataSource.getConnection()) {
      tx.setAutoCommit(false);
      for (FaultJob job : steps) {
        String key = ((FaultJob.Step) job).key();
        tables.outbox.enqueue(tx, job, EnqueueOptions.defaults().withOrderingKey(key));
      }
      tx.commit();
    }
  }
}
