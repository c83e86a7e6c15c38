package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.drain.TransactionalHandler;
import dev.outbox.jdbc.testing.H2ClosedSessionIsFatal;
import dev.outbox.jdbc.testing.SessionKiller;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactional outcomes under rollback: "retry at" and "dead-letter now" commit with the handler's
 * writes or not at all, including when the server ends the handler's session after its writes and
 * before the commit. Effects go to a table keyed by job id, so a second effect for the same job
 * could not hide.
 */
public abstract class TransactionalOutcomeContract extends OutboxTestBase {

  private final AtomicInteger runs = new AtomicInteger();
  private final AtomicInteger sessionsEnded = new AtomicInteger();
  private SessionKiller killer;

  /**
   * On H2 the session is ended with {@code ABORT_SESSION}; the pool is rebuilt on the same database
   * with {@link H2ClosedSessionIsFatal}, so that it recognises the dead connection as PostgreSQL's
   * and MariaDB's pools do out of the box.
   */
  @BeforeEach
  void poolThatEvictsEndedH2Sessions() {
    if (database() != TestDatabase.H2) {
      return;
    }
    HikariConfig config = new HikariConfig();
    dataSource.copyStateTo(config);
    config.setPoolName("test-h2-evicting");
    config.setExceptionOverrideClassName(H2ClosedSessionIsFatal.class.getName());
    dataSource.close();
    dataSource = new HikariDataSource(config);
    outbox = outboxOn(dataSource).build();
  }

  private void writeEffect(Connection tx, long id, String note) throws Exception {
    try (PreparedStatement insert =
        tx.prepareStatement("INSERT INTO " + effectTable + " (id, note) VALUES (?, ?)")) {
      insert.setLong(1, id);
      insert.setString(2, note);
      insert.executeUpdate();
    }
  }

  private Drainer<TestJob> drainerFor(TransactionalHandler<TestJob.Effect> handler) {
    return drainer()
        .handler(job -> Outcome.done())
        .transactional(TestJob.Effect.class, handler)
        .build();
  }

  /**
   * On its first run the handler writes its effect, then its session is ended by the server, then
   * it returns {@code outcome}; on later runs it writes and completes normally.
   */
  private Drainer<TestJob> killedOnFirstRun(Function<Job<TestJob.Effect>, Outcome> outcome) {
    killer = new SessionKiller(database(), dataSource);
    return drainerFor(
        (job, tx) -> {
          runs.incrementAndGet();
          writeEffect(tx, job.id(), "run " + runs.get());
          if (job.attempt() > 1) {
            return Outcome.done();
          }
          killer.kill(killer.sessionOf(tx));
          sessionsEnded.incrementAndGet();
          return outcome.apply(job);
        });
  }

  private void assertTheKilledRunLeftNothingAndTheJobRunsAgain(Drainer<TestJob> drainer, long id)
      throws Exception {
    DrainReport killed = drainer.drainOnce();
    assertEquals(1, sessionsEnded.get(), "the handler's session was ended by the server");
    assertEquals(1, killed.retried(), "the lost commit is recorded as a failed attempt");
    assertEquals(0, count(effectTable), "the killed transaction's writes are gone");
    assertEquals(0, count(deadLetterTable), "no dead letter from the killed transaction");
    assertEquals(1, attempts(id));
    String error = lastError();
    assertTrue(
        killer.endedSessionErrors().stream().anyMatch(error::contains),
        "the recorded failure says the server ended the session, was: " + error);
    makeAllDue();
    DrainReport again = drainer.drainOnce();
    assertEquals(1, again.succeeded(), "the job ran again and completed");
    assertEquals(1, count(effectTable), "exactly one effect");
    assertEquals(1, queryLong("SELECT COUNT(*) FROM " + effectTable + " WHERE note = 'run 2'"));
    assertEquals(0, count(jobTable));
    assertEquals(2, runs.get());
    assertThePoolServesEveryConnection();
  }

  private String lastError() throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement("SELECT last_error FROM " + jobTable);
        ResultSet row = select.executeQuery()) {
      assertTrue(row.next(), "the job is still there");
      return String.valueOf(row.getString(1));
    }
  }

  /** Borrows every connection of the pool at once and uses each: none of them is a dead one. */
  private void assertThePoolServesEveryConnection() throws Exception {
    List<Connection> all = new ArrayList<>();
    try {
      for (int i = 0; i < dataSource.getMaximumPoolSize(); i++) {
        Connection connection = dataSource.getConnection();
        all.add(connection);
        try (PreparedStatement select = connection.prepareStatement("SELECT 1")) {
          assertTrue(select.executeQuery().next());
        }
      }
    } finally {
      for (Connection connection : all) {
        connection.close();
      }
    }
  }

  @Test
  void aSessionEndedAfterTheHandlersWritesLeavesNoWritesAndTheJobRunsAgainLater() throws Exception {
    long id = enqueueCommitted(new TestJob.Effect(1)).get(0);
    assertTheKilledRunLeftNothingAndTheJobRunsAgain(killedOnFirstRun(job -> Outcome.done()), id);
  }

  @Test
  void aDeadLetterNowLostWithItsSessionLeavesNeitherTheWritesNorTheDeadLetter() throws Exception {
    long id = enqueueCommitted(new TestJob.Effect(1)).get(0);
    assertTheKilledRunLeftNothingAndTheJobRunsAgain(
        killedOnFirstRun(job -> Outcome.deadLetter("refused by the domain")), id);
  }

  @Test
  void aRetryAtLostWithItsSessionLeavesNeitherTheWritesNorTheSnooze() throws Exception {
    long id = enqueueCommitted(new TestJob.Effect(1)).get(0);
    assertTheKilledRunLeftNothingAndTheJobRunsAgain(
        killedOnFirstRun(job -> Outcome.retryAt(Instant.now().plus(Duration.ofDays(1)))), id);
  }

  @Test
  void aDeadLetterNowWhoseTransactionRollsBackNeverExists() throws Exception {
    long id = enqueueCommitted(new TestJob.Effect(1)).get(0);
    DrainReport report =
        drainerFor(
                (job, tx) -> {
                  writeEffect(tx, job.id(), "refusal recorded");
                  try {
                    tx.rollback();
                  } catch (RuntimeException refused) {
                    // swallowed on purpose: the library still rolls everything back
                  }
                  return Outcome.deadLetter("refused by the domain");
                })
            .drainOnce();
    assertEquals(0, report.deadLettered());
    assertEquals(1, report.retried());
    assertEquals(0, count(effectTable));
    assertEquals(0, count(deadLetterTable));
    assertEquals(1, attempts(id));
    assertContains(lastError(), "called rollback()", "forbids", "rolled back");
  }

  @Test
  void retryAtReschedulesAtThatTimeWithoutUsingUpAnAttempt() throws Exception {
    long id = enqueueCommitted(new TestJob.Effect(1)).get(0);
    List<Integer> attemptsSeen = new ArrayList<>();
    Drainer<TestJob> drainer =
        drainer()
            .maxAttempts(1)
            .handler(job -> Outcome.done())
            .transactional(
                TestJob.Effect.class,
                (job, tx) -> {
                  attemptsSeen.add(job.attempt());
                  writeEffect(tx, attemptsSeen.size(), "not yet");
                  return attemptsSeen.size() < 4
                      ? Outcome.retryAt(Instant.now().plus(Duration.ofHours(1)))
                      : Outcome.done();
                })
            .build();
    for (int snooze = 1; snooze <= 3; snooze++) {
      assertEquals(1, drainer.drainOnce().snoozed());
      assertEquals(0, attempts(id), "a snooze gives its attempt back");
      long waitMillis = queryLong("SELECT run_at - created_at FROM " + jobTable);
      assertTrue(
          waitMillis > Duration.ofMinutes(55).toMillis()
              && waitMillis < Duration.ofMinutes(65).toMillis(),
          "due about an hour after it was enqueued, was " + waitMillis + " ms");
      assertEquals(0, drainer.drainOnce().claimed(), "not due before that time");
      makeAllDue();
    }
    DrainReport last = drainer.drainOnce();
    assertEquals(1, last.succeeded(), "three snoozes with maxAttempts 1 did not exhaust it");
    assertEquals(List.of(1, 1, 1, 1), attemptsSeen);
    assertEquals(4, count(effectTable), "every snooze committed with its handler's write");
    assertEquals(0, count(deadLetterTable));
  }
}
