package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.OutboxException;
import dev.outbox.deadletter.DeadLetter;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.forward.InngestForwarder;
import dev.outbox.forward.InngestTestServer;
import dev.outbox.jdbc.TestJob.Greet;
import dev.outbox.jdbc.internal.Schema;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.job.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every job's globally unique event id: made at enqueue, kept through retry, dead letter and
 * requeue, sent by the forwarder (derived from the idempotency key when there is one), and brought
 * to tables of the previous schema version by the upgrade.
 */
public abstract class EventIdContract extends OutboxTestBase {
  private final InngestTestServer server = InngestTestServer.start();
  private final List<String> otherTables = new ArrayList<>();

  @AfterEach
  void stopServerAndDropOtherTables() {
    server.close();
    if (dataSource != null && !otherTables.isEmpty()) {
      TestDatabase.drop(dataSource, otherTables.toArray(String[]::new));
    }
  }

  @Test
  void twoOutboxesOnFreshTablesForwardingToOneEventApiHaveEveryEventTriggeredOnce()
      throws Exception {
    JdbcOutbox<TestJob> second = freshOutbox();
    enqueueCommitted(greetings("first", 300));
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      second.enqueueAll(tx, List.of(greetings("second", 300)));
      tx.commit();
    }

    forwardAll(outbox);
    forwardAll(second);

    assertEquals(
        600, server.ids().size(), "600 jobs, 600 distinct ids, though both sequences ran 1..300");
    assertEquals(
        600, server.triggeredRuns(), "no event of the second table was dropped as a repeat");
  }

  @Test
  void anEventIdSurvivesRetryDeadLetterAndRequeueUnchanged() throws Exception {
    long id = enqueueCommitted(new TestJob.Boom("always")).get(0);
    String eventId = eventIds().iterator().next();
    List<String> seen = new ArrayList<>();
    Drainer<TestJob> failing =
        drainer()
            .maxAttempts(2)
            .handler(
                job -> {
                  seen.add(job.eventId());
                  return Outcome.failed(new IllegalStateException("no"));
                })
            .build();

    failing.drainOnce();
    makeAllDue();
    failing.drainOnce();
    DeadLetter buried = outbox.deadLetters().find(id).get();
    assertTrue(outbox.deadLetters().requeue(id));
    Job<TestJob> requeued = drainOne();

    assertEquals(List.of(eventId, eventId), seen, "the same id on the first run and the retry");
    assertEquals(eventId, buried.eventId(), "the dead letter keeps it");
    assertEquals(eventId, requeued.eventId(), "the requeue brings it back");
  }

  @Test
  void aHundredThousandJobsEnqueuedConcurrentlyHaveAHundredThousandDistinctIds() throws Exception {
    ExecutorService producers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int p = 0; p < 4; p++) {
        done.add(producers.submit(() -> enqueueInTransactions(25, 1_000)));
      }
      for (Future<?> each : done) {
        each.get();
      }
    } finally {
      producers.shutdown();
    }

    assertEquals(100_000, count(jobTable));
    assertEquals(
        100_000, queryLong("SELECT COUNT(DISTINCT event_id) FROM " + jobTable), "no id twice");
  }

  @Test
  void aKeyedJobSendsTheSameIdAfterItsKeyWasFreedSoTheRepeatRunsOnce() throws Exception {
    EnqueueOptions key = EnqueueOptions.defaults().withIdempotencyKey("signup-ada");
    enqueueCommitted(key, new Greet("ada"));
    forwardAll(outbox);
    enqueueCommitted(key, new Greet("ada"));
    forwardAll(outbox);
    enqueueCommitted(key, new TestJob.Effect(1));
    forwardAll(outbox);

    assertEquals(3, server.events().size(), "three jobs, three events sent");
    assertEquals(2, server.ids().size(), "a repeat of key and name sends the same id");
    assertEquals(2, server.triggeredRuns(), "the repeat ran once; another name with the key ran");
  }

  @Test
  void tablesOfThePreviousVersionAreRefusedNamingTheMigrationThenUpgradedWithNothingLost()
      throws Exception {
    String job = jobTable + "_v1";
    String dead = deadLetterTable + "_v1";
    otherTables.addAll(List.of(job, dead));
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      for (String ddl : Schema.migration(dialect(), 1, job, dead)) {
        statement.execute(ddl);
      }
    }
    insertAsTheOldVersionDid(job, dead, 50);
    JdbcOutbox<TestJob> old = outboxOn(dataSource).jobTable(job).deadLetterTable(dead).build();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    Drainer<TestJob> drainer =
        old.drainer()
            .lease(Duration.ofMinutes(1))
            .handler(
                each -> {
                  handled.add(each.eventId());
                  return Outcome.done();
                })
            .build();

    OutboxException.Misconfigured refused =
        assertThrows(OutboxException.Misconfigured.class, drainer::start);
    assertContains(refused.getMessage(), "V2__outbox_event_id.sql", "createSchemaIfMissing()");
    OutboxException.EnqueueRefused enqueue =
        assertThrows(OutboxException.EnqueueRefused.class, () -> enqueueOn(old, new Greet("x")));
    assertContains(enqueue.getMessage(), "event_id", "V2__outbox_event_id.sql");

    old.createSchemaIfMissing();
    old.createSchemaIfMissing();
    Set<String> backfilled = strings("SELECT event_id FROM " + job);
    enqueueOn(old, new Greet("after the upgrade"));
    for (int round = 0; round < 10 && handled.size() < 51; round++) {
      drainer.drainOnce();
    }

    assertEquals(50, backfilled.size(), "every queued row got its own id");
    assertFalse(backfilled.contains(null));
    assertEquals(51, handled.size(), "every old job and the new one handled, each with an id");
    assertEquals(1, old.deadLetters().list(dev.outbox.deadletter.DeadLetterQuery.all()).size());
    assertEquals(
        36,
        old.deadLetters()
            .list(dev.outbox.deadletter.DeadLetterQuery.all())
            .get(0)
            .eventId()
            .length());
  }

  private Dialect dialect() {
    return switch (database()) {
      case H2 -> Dialect.H2;
      case POSTGRESQL -> Dialect.POSTGRESQL;
      case MARIADB -> Dialect.MARIADB;
    };
  }

  /** Rows and a dead letter as the release before the event id wrote them. */
  private void insertAsTheOldVersionDid(String job, String dead, int jobs) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO "
                  + job
                  + " (kind, payload, created_at, run_at, attempts) VALUES ('Greet', ?, 0, 0, 0)")) {
        for (int i = 0; i < jobs; i++) {
          insert.setString(1, "{\"name\":\"old " + i + "\"}");
          insert.executeUpdate();
        }
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "INSERT INTO "
                + dead
                + " (id, kind, payload, created_at, died_at, attempts, reason, error)"
                + " VALUES (1000, 'Greet', '{}', 0, 0, 3, 'RETRIES_EXHAUSTED', 'old')");
      }
    }
  }

  private void enqueueOn(JdbcOutbox<TestJob> target, TestJob job) throws SQLException {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      try {
        target.enqueue(tx, job);
        tx.commit();
      } finally {
        if (!tx.getAutoCommit()) {
          tx.rollback();
        }
      }
    }
  }

  private Void enqueueInTransactions(int transactions, int jobsEach) throws SQLException {
    for (int t = 0; t < transactions; t++) {
      try (Connection tx = dataSource.getConnection()) {
        tx.setAutoCommit(false);
        outbox.enqueueAll(tx, List.of(greetings("p", jobsEach)));
        tx.commit();
      }
    }
    return null;
  }

  private JdbcOutbox<TestJob> freshOutbox() {
    String prefix = TestDatabase.uniquePrefix();
    otherTables.addAll(List.of(prefix + "_job", prefix + "_dead"));
    JdbcOutbox<TestJob> fresh =
        JdbcOutbox.builder(dataSource, TestJob.class)
            .jobTable(prefix + "_job")
            .deadLetterTable(prefix + "_dead")
            .build();
    fresh.createSchemaIfMissing();
    return fresh;
  }

  private void forwardAll(JdbcOutbox<TestJob> from) {
    InngestForwarder<TestJob> forwarder =
        InngestForwarder.builder(from.codec())
            .baseUrl(server.baseUrl())
            .eventKey("test-key")
            .namePrefix("shop/")
            .build();
    Drainer<TestJob> drainer = from.drainer().batchSize(100).batchHandler(forwarder).build();
    while (drainer.drainOnce().claimed() > 0) {
      // until nothing is left
    }
  }

  private Job<TestJob> drainOne() {
    List<Job<TestJob>> seen = new ArrayList<>();
    drainer()
        .handler(
            job -> {
              seen.add(job);
              return Outcome.done();
            })
        .build()
        .drainOnce();
    assertEquals(1, seen.size());
    return seen.get(0);
  }

  private static Greet[] greetings(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> new Greet(prefix + i)).toArray(Greet[]::new);
  }
}
