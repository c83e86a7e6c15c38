package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.OutboxException;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.JobHandler;
import dev.outbox.drain.Outcome;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.job.EnqueueResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Guarantee 1 (atomic enqueue), 8 (idempotency) and the refusals of bad input. */
public abstract class EnqueueContract extends OutboxTestBase {

  @Test
  void committedJobIsHandled() throws Exception {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    enqueueCommitted(new TestJob.Greet("ada"));
    var drainer =
        drainer()
            .handler(JobHandler.consuming(job -> handled.add(((TestJob.Greet) job).name())))
            .build();
    DrainReport report = drainer.drainOnce();
    assertEquals(1, report.succeeded());
    assertEquals(Set.of("ada"), handled);
    assertEquals(0, count(jobTable));
  }

  @Test
  void rolledBackEnqueueIsNeverHandled() throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      outbox.enqueue(tx, new TestJob.Greet("ghost"));
      tx.rollback();
    }
    Set<Object> handled = ConcurrentHashMap.newKeySet();
    DrainReport report = drainer().handler(JobHandler.consuming(handled::add)).build().drainOnce();
    assertEquals(0, report.claimed());
    assertTrue(handled.isEmpty());
    assertEquals(0, count(jobTable));
  }

  @Test
  void enqueueOnAnAutoCommitConnectionIsRefusedAndWritesNothing() throws Exception {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      var error =
          assertThrows(
              OutboxException.EnqueueRefused.class,
              () -> outbox.enqueue(connection, new TestJob.Greet("x")));
      assertContains(error.getMessage(), "auto-commit", "setAutoCommit(false)");
      assertTrue(connection.getAutoCommit());
    }
    assertEquals(0, count(jobTable));
  }

  @Test
  void enqueueNeverCommitsClosesOrChangesTheCallersConnection() throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      outbox.enqueue(tx, new TestJob.Greet("pending"));
      outbox.enqueueAll(tx, List.of(new TestJob.Greet("a"), new TestJob.Greet("b")));
      assertFalse(tx.isClosed());
      assertFalse(tx.getAutoCommit());
      assertEquals(0, count(jobTable), "another connection must not see uncommitted jobs");
      tx.commit();
    }
    assertEquals(3, count(jobTable));
  }

  @Test
  void aPayloadThatCannotBeSerializedFailsBeforeAnySqlAndTheTransactionGoesOn() throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      var error =
          assertThrows(
              OutboxException.EnqueueRefused.class,
              () -> outbox.enqueue(tx, new TestJob.Opaque(new Object())));
      assertContains(
          error.getMessage(), "Opaque", "could not be serialized", "Nothing was written");
      outbox.enqueue(tx, new TestJob.Greet("after"));
      tx.commit();
    }
    assertEquals(1, count(jobTable));
  }

  /** An outbox over the same tables that refuses payloads over {@code bytes}. */
  private JdbcOutbox<TestJob> outboxWithPayloadLimit(int bytes) {
    return outboxOn(dataSource).maxPayloadBytes(bytes).build();
  }

  @Test
  void aPayloadIsMeasuredInUtf8BytesNotInCharacters() throws Exception {
    var small = outboxWithPayloadLimit(64);
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      // {"name":"…"} with 25 two-byte characters: 36 characters, 61 bytes, under the limit.
      small.enqueue(tx, new TestJob.Greet("é".repeat(25)));
      // With 27 of them: 38 characters but 65 bytes, over it.
      var error =
          assertThrows(
              OutboxException.EnqueueRefused.class,
              () -> small.enqueue(tx, new TestJob.Greet("é".repeat(27))));
      assertContains(error.getMessage(), "is 65 bytes, over the limit of 64");
      tx.commit();
    }
    assertEquals(1, count(jobTable));
  }

  @Test
  void aPayloadOverTheSizeLimitIsRefusedBeforeAnySql() throws Exception {
    var small = outboxWithPayloadLimit(64);
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      var error =
          assertThrows(
              OutboxException.EnqueueRefused.class,
              () -> small.enqueue(tx, new TestJob.Greet("x".repeat(100))));
      assertContains(error.getMessage(), "over the limit of 64");
      small.enqueue(tx, new TestJob.Greet("ok"));
      tx.commit();
    }
    assertEquals(1, count(jobTable));
  }

  @Test
  void aSecondEnqueueWithTheSameIdempotencyKeyStoresNothingAndSaysSo() throws Exception {
    var options = EnqueueOptions.defaults().withIdempotencyKey("order-42");
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      assertInstanceOf(
          EnqueueResult.Stored.class, outbox.enqueue(tx, new TestJob.Greet("first"), options));
      EnqueueResult second = outbox.enqueue(tx, new TestJob.Greet("second"), options);
      assertEquals(new EnqueueResult.Deduplicated("order-42"), second);
      outbox.enqueue(tx, new TestJob.Greet("unrelated"));
      tx.commit();
    }
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      assertFalse(outbox.enqueue(tx, new TestJob.Greet("third"), options).stored());
      tx.commit();
    }
    assertEquals(2, count(jobTable));
  }

  @Test
  void aDelayedJobIsNotClaimedBeforeItIsDueByTheDatabaseClock() throws Exception {
    enqueueCommitted(
        EnqueueOptions.defaults().withDelay(Duration.ofMinutes(30)), new TestJob.Greet("later"));
    enqueueCommitted(new TestJob.Greet("now"));
    DrainReport report =
        drainer().handler(job -> dev.outbox.drain.Outcome.done()).build().drainOnce();
    assertEquals(1, report.claimed(), "only the job due now, whatever the session time zone");
    long wait = queryLong("SELECT run_at - " + outboxNow() + " FROM " + jobTable);
    assertTrue(
        wait > Duration.ofMinutes(29).toMillis() && wait < Duration.ofMinutes(31).toMillis(),
        "wait " + wait);
  }

  @Test
  void enqueueAllWritesEveryJobInOneBatch() throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      int stored =
          outbox.enqueueAll(
              tx,
              java.util.stream.IntStream.range(0, 500)
                  .mapToObj(i -> (TestJob) new TestJob.Greet("n" + i))
                  .toList());
      assertEquals(500, stored);
      tx.commit();
    }
    assertEquals(500, count(jobTable));
  }

  @Test
  void enqueueAllOfThousandsOfJobsGivesThemIdsInTheGivenOrder() throws Exception {
    int n = 2_500;
    List<TestJob> jobs =
        IntStream.range(0, n).mapToObj(i -> (TestJob) new TestJob.Step("k", i)).toList();
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      assertEquals(n, outbox.enqueueAll(tx, jobs, EnqueueOptions.defaults().withOrderingKey("k")));
      tx.commit();
    }
    assertEquals(encodedPayloads(jobs), payloadsInIdOrder());
    assertEquals(n, queryLong("SELECT COUNT(*) FROM " + jobTable + " WHERE ordering_key = 'k'"));
  }

  @Test
  void jobsEnqueuedWithEnqueueAllRunInTheirOrderPerOrderingKey() throws Exception {
    int keys = 20;
    int steps = 50;
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      for (int k = 0; k < keys; k++) {
        String key = "key" + k;
        List<TestJob> jobs =
            IntStream.range(0, steps).mapToObj(i -> (TestJob) new TestJob.Step(key, i)).toList();
        outbox.enqueueAll(tx, jobs, EnqueueOptions.defaults().withOrderingKey(key));
      }
      tx.commit();
    }
    Map<String, List<Integer>> ran = new ConcurrentHashMap<>();
    var drainer =
        drainer()
            .batchSize(keys)
            .handler(
                job -> {
                  TestJob.Step step = (TestJob.Step) job.payload();
                  ran.computeIfAbsent(
                          step.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                      .add(step.seq());
                  return Outcome.done();
                })
            .build();
    while (drainer.drainOnce().claimed() > 0) {}
    List<Integer> inOrder = IntStream.range(0, steps).boxed().toList();
    assertEquals(keys, ran.size());
    ran.forEach((key, seqs) -> assertEquals(inOrder, seqs, key));
  }

  @Test
  void enqueueAllStoresOddPayloadsExactlyAndTheyComeBackEqual() throws Exception {
    List<TestJob> jobs =
        Stream.of(
                "",
                " ",
                "NULL",
                "null",
                "a,b",
                "{braces}",
                "\"double quotes\"",
                "'single quotes'",
                "back\\slash",
                "\\\\",
                "\\\"",
                "{\"a\\\\\", b}",
                "tab\tnew\nline\rreturn",
                "control \u0001\u001f",
                "ünïcödé ✓ 日本語 ∑ 😀",
                "line\u2028separator",
                "(a, [b], {c}) = $1 :: text")
            .map(name -> (TestJob) new TestJob.Greet(name))
            .toList();
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      assertEquals(jobs.size(), outbox.enqueueAll(tx, jobs));
      tx.commit();
    }
    assertEquals(encodedPayloads(jobs), payloadsInIdOrder());
    List<Object> handled = Collections.synchronizedList(new ArrayList<>());
    drainer().handler(JobHandler.consuming(handled::add)).build().drainOnce();
    assertEquals(Set.copyOf(jobs), Set.copyOf(handled));
    assertEquals(jobs.size(), handled.size());
  }

  @Test
  void enqueueWithDefaultOptionsStoresNoKeysIsDueAtOnceAndReturnsTheStoredId() throws Exception {
    List<Long> ids = new ArrayList<>();
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      // On PostgreSQL the first insert also notifies (its turn) and the second does not: both
      // shapes of the insert must return the id of the row they stored.
      for (String name : List.of("ada", "grace")) {
        EnqueueResult result = outbox.enqueue(tx, new TestJob.Greet(name));
        ids.add(assertInstanceOf(EnqueueResult.Stored.class, result).id());
      }
      tx.commit();
    }
    for (long id : ids) {
      assertEquals(
          1,
          queryLong(
              "SELECT COUNT(*) FROM "
                  + jobTable
                  + " WHERE id = ? AND ordering_key IS NULL AND idempotency_key IS NULL"
                  + " AND attempts = 0 AND run_at = created_at AND run_at <= "
                  + outboxNow()
                  + " AND created_at > "
                  + outboxNow()
                  + " - 60000",
              id));
    }
    assertEquals(2, drainer().handler(job -> Outcome.done()).build().drainOnce().succeeded());
  }

  @Test
  void enqueueAllWithDefaultOptionsStoresNoKeysAndTheJobsAreDueAtOnce() throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      assertEquals(3, outbox.enqueueAll(tx, greetings(3)));
      tx.commit();
    }
    assertEquals(
        3,
        queryLong(
            "SELECT COUNT(*) FROM "
                + jobTable
                + " WHERE ordering_key IS NULL AND idempotency_key IS NULL AND attempts = 0"
                + " AND run_at = created_at AND run_at <= "
                + outboxNow()
                + " AND created_at > "
                + outboxNow()
                + " - 60000"));
    assertEquals(3, drainer().handler(job -> Outcome.done()).build().drainOnce().succeeded());
  }

  @Test
  void enqueueAllHonoursADelayByTheDatabaseClock() throws Exception {
    Duration delay = Duration.ofMinutes(30);
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      outbox.enqueueAll(tx, greetings(3), EnqueueOptions.defaults().withDelay(delay));
      tx.commit();
    }
    assertEquals(
        3,
        queryLong(
            "SELECT COUNT(*) FROM "
                + jobTable
                + " WHERE run_at - created_at = ? AND created_at > "
                + outboxNow()
                + " - 60000",
            delay.toMillis()));
    assertEquals(0, drainer().handler(job -> Outcome.done()).build().drainOnce().claimed());
  }

  @Test
  void enqueueAllHonoursAnExplicitRunAt() throws Exception {
    Instant runAt = Instant.ofEpochMilli(4_102_444_800_123L);
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      outbox.enqueueAll(
          tx, greetings(3), EnqueueOptions.defaults().withRunAt(runAt).withOrderingKey("later"));
      tx.commit();
    }
    assertEquals(
        3,
        queryLong(
            "SELECT COUNT(*) FROM " + jobTable + " WHERE run_at = ? AND ordering_key = 'later'",
            runAt.toEpochMilli()));
    assertEquals(0, drainer().handler(job -> Outcome.done()).build().drainOnce().claimed());
  }

  @Test
  void enqueueAllRefusesAnOversizedPayloadOrAnAutoCommitConnectionBeforeAnySql() throws Exception {
    var small = outboxWithPayloadLimit(64);
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      List<TestJob> lastTooBig = new ArrayList<>(greetings(1_500));
      lastTooBig.add(new TestJob.Greet("x".repeat(100)));
      var error =
          assertThrows(
              OutboxException.EnqueueRefused.class, () -> small.enqueueAll(tx, lastTooBig));
      assertContains(error.getMessage(), "over the limit of 64");
      assertEquals(1, small.enqueueAll(tx, greetings(1)), "the transaction goes on");
      tx.commit();
    }
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      var error =
          assertThrows(
              OutboxException.EnqueueRefused.class,
              () -> outbox.enqueueAll(connection, greetings(1_500)));
      assertContains(error.getMessage(), "auto-commit");
    }
    assertEquals(1, count(jobTable));
  }

  private static List<TestJob> greetings(int n) {
    return IntStream.range(0, n).mapToObj(i -> (TestJob) new TestJob.Greet("n" + i)).toList();
  }

  private List<String> encodedPayloads(List<TestJob> jobs) {
    return jobs.stream().map(job -> outbox.codec().encode(job).payload()).toList();
  }

  private List<String> payloadsInIdOrder() throws Exception {
    List<String> payloads = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        Statement select = connection.createStatement();
        ResultSet rows = select.executeQuery("SELECT payload FROM " + jobTable + " ORDER BY id")) {
      while (rows.next()) {
        payloads.add(rows.getString(1));
      }
    }
    return payloads;
  }

  private String outboxNow() {
    return dev.outbox.jdbc.internal.SqlDialect.of(outbox.dialect(), jobTable, deadLetterTable)
        .now();
  }
}
