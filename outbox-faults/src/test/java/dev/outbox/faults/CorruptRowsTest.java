package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.JobCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scenario 5d, corrupt rows: parseable jobs whose other columns were edited by hand into values the
 * library never writes (attempts at the ends of the integer range, run_at and created_at at the
 * ends of the 64-bit range, a lease token without a lease, an empty ordering key), among good jobs,
 * and a dead letter whose reason this version does not know. No row stops the queue: each one is
 * handled or ends in the dead letters; a row due at the end of time stays pending, unclaimed; the
 * dead letter with the unknown reason is listed as {@code UNKNOWN} beside the others.
 */
class CorruptRowsTest {
  private static final long FIRST = 1_000_000;

  /** The column edits, and whether the job then runs (or ends in the dead letters). */
  private static final Map<String, Boolean> EDITS = edits();

  private static Map<String, Boolean> edits() {
    Map<String, Boolean> edits = new LinkedHashMap<>();
    edits.put("attempts = 2147483647", false);
    edits.put("attempts = -2147483648", true);
    edits.put("attempts = 2147483646", false);
    edits.put("run_at = -9223372036854775808", true);
    edits.put("created_at = 9223372036854775807", true);
    edits.put("created_at = -9223372036854775808", true);
    edits.put("lease_token = 5, lease_until = NULL", true);
    edits.put("lease_until = -9223372036854775808, lease_token = -1", true);
    edits.put("ordering_key = ''", true);
    return edits;
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void noCorruptRowStopsTheQueue(TestDatabase database) throws Exception {
    Figures figures = Figures.of("5d corrupt rows, " + database);
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    try (ScenarioTables tables = ScenarioTables.create(database, 4)) {
      Map<Long, Boolean> corrupt = new LinkedHashMap<>();
      long n = FIRST;
      for (int round = 0; round < 3; round++) {
        for (var edit : EDITS.entrySet()) {
          insertEdited(tables, n, round % 2 == 0 ? null : "key-" + n, edit.getKey());
          corrupt.put(n++, edit.getValue());
        }
      }
      long endOfTime = n;
      insertEdited(tables, endOfTime, null, "run_at = 9223372036854775807");
      tables.enqueueWork(1_000);
      insertUnknownReasonDeadLetter(tables);
      try (DrainerFleet fleet =
          DrainerFleet.start(
              tables,
              3,
              4,
              drainer ->
                  drainer
                      .batchSize(25)
                      .maxAttempts(3)
                      .handler(
                          job -> {
                            runs.computeIfAbsent(job.payload().n(), k -> new AtomicInteger())
                                .incrementAndGet();
                            return Outcome.done();
                          }))) {
        Await.until(
            Duration.ofMinutes(2),
            "every due row is handled or dead-lettered",
            () -> tables.pending() == 1);
      }
      List<DeadLetter> letters = tables.deadLetters();
      Set<Long> buried =
          letters.stream()
              .filter(l -> l.reason() != DeadLetterReason.UNKNOWN)
              .map(tables::number)
              .collect(Collectors.toCollection(TreeSet::new));
      Set<Long> expectedBuried =
          corrupt.entrySet().stream()
              .filter(e -> !e.getValue())
              .map(Map.Entry::getKey)
              .collect(Collectors.toCollection(TreeSet::new));
      long goodRuns = runs.keySet().stream().filter(k -> k < FIRST).count();
      figures
          .put("corrupt job rows", corrupt.size() + 1)
          .put("good jobs", 1_000)
          .put("good handled", goodRuns)
          .put("corrupt handled", runs.keySet().stream().filter(k -> k >= FIRST).count())
          .put("dead-lettered", buried.size())
          .put("left pending (due at the end of time)", tables.pending())
          .put("dead letters listed", letters.size())
          .print();
      assertEquals(1_000, goodRuns, "every good job ran");
      assertEquals(expectedBuried, buried, "the rows out of attempts are dead-lettered");
      for (var row : corrupt.entrySet()) {
        if (row.getValue()) {
          assertEquals(1, runs.get(row.getKey()).get(), "runs of corrupt row " + row.getKey());
        }
      }
      assertTrue(
          letters.stream()
              .filter(l -> l.reason() != DeadLetterReason.UNKNOWN)
              .allMatch(l -> l.reason() == DeadLetterReason.RETRIES_EXHAUSTED));
      assertEquals(
          1,
          letters.stream().filter(l -> l.reason() == DeadLetterReason.UNKNOWN).count(),
          "the dead letter with an unknown reason is listed");
      assertEquals(1, tables.pending(), "only the row due at the end of time is left");
    }
  }

  private static void insertEdited(ScenarioTables tables, long n, String key, String edit)
      throws Exception {
    JobCodec.Encoded job = tables.outbox.codec().encode(new FaultJob.Work(n));
    tables.insertRaw(job.kind(), job.payload(), key);
    long id = tables.queryLong("SELECT MAX(id) FROM " + tables.jobTable());
    tables.execute("UPDATE " + tables.jobTable() + " SET " + edit + " WHERE id = " + id);
  }

  private static void insertUnknownReasonDeadLetter(ScenarioTables tables) throws Exception {
    try (Connection connection = tables.dataSource.getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO "
                    + tables.deadLetterTable()
                    + " (id, kind, payload, created_at, died_at, attempts, reason, error)"
                    + " VALUES (9000000000, 'Work', '{\"n\":-7}', 0, 0, 1, 'EATEN_BY_A_GRUE', NULL)")) {
      insert.executeUpdate();
    }
  }
}
