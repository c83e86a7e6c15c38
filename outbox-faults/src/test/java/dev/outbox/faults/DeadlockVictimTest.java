package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.Backoff;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A drainer's outcome write (the completion, or the retry of a failure) that the database picks as
 * the victim of a deadlock with another transaction on the job rows. The victim's work was rolled
 * back whole, so writing it again is safe; the outcomes must be written, not left for the leases to
 * expire (and the jobs to run again) minutes later.
 *
 * <p>The deadlock is made on purpose: while the handlers run, another session locks the second job
 * row; the outcome write then locks the first and waits for the second; the other session asks for
 * the first. PostgreSQL checks for a deadlock once per wait, {@code deadlock_timeout} after it
 * began, and the session that finds the cycle is the victim. The write's check (5 s into its wait)
 * must therefore come after the other session's request, however late load makes it, and before the
 * other session's own check (a minute into its wait). InnoDB rolls back the smaller transaction, so
 * the other session has written rows of its own beforehand.
 */
class DeadlockVictimTest {
  /** The outcome the handlers return, and so the write that becomes the victim. */
  enum Write {
    COMPLETION,
    RETRY
  }

  static Stream<Arguments> cases() {
    return Stream.of(TestDatabase.POSTGRESQL, TestDatabase.MARIADB)
        .flatMap(db -> Stream.of(Write.values()).map(write -> Arguments.of(db, write)));
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("cases")
  void anOutcomeWriteChosenAsADeadlockVictimIsWrittenAgain(TestDatabase database, Write write)
      throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (ScenarioTables tables = ScenarioTables.create(database, 4);
        HikariDataSource drainerPool = drainerPool(tables)) {
      tables.enqueueWork(2);
      long first = tables.queryLong("SELECT MIN(id) FROM " + tables.jobTable());
      long second = tables.queryLong("SELECT MAX(id) FROM " + tables.jobTable());
      tables.execute("CREATE TABLE " + tables.prefix + "_ballast (n INT)");
      CountDownLatch handling = new CountDownLatch(2);
      CountDownLatch locked = new CountDownLatch(1);
      Drainer<FaultJob> drainer =
          tables
              .outboxOn(drainerPool)
              .drainer()
              .backoff(Backoff.fixed(Duration.ofMinutes(10)))
              .handler(
                  job -> {
                    handling.countDown();
                    locked.await(1, TimeUnit.MINUTES);
                    return write == Write.COMPLETION
                        ? Outcome.done()
                        : Outcome.failed(new IllegalStateException("try again"));
                  })
              .build();
      Future<DrainReport> run = thread.submit(drainer::drainOnce);
      assertTrue(handling.await(30, TimeUnit.SECONDS), "the handlers run");
      boolean otherSessionWasVictim;
      try (Connection other = tables.pool("other", 1).getConnection()) {
        other.setAutoCommit(false);
        if (database == TestDatabase.POSTGRESQL) {
          try (Statement late = other.createStatement()) {
            late.execute("SET LOCAL deadlock_timeout = '1min'");
          }
        }
        try (Statement ballast = other.createStatement()) {
          ballast.executeUpdate(
              "INSERT INTO " + tables.prefix + "_ballast VALUES (1), (2), (3), (4), (5), (6)");
        }
        lock(other, tables, second);
        locked.countDown();
        Await.until(
            Duration.ofSeconds(30), "the outcome write waits for the row", () -> waiting(tables));
        otherSessionWasVictim = !lockOrBeVictim(other, tables, first);
        other.rollback();
      } finally {
        TestDatabase.drop(tables.dataSource, tables.prefix + "_ballast");
      }
      DrainReport report = run.get(1, TimeUnit.MINUTES);

      assertFalse(otherSessionWasVictim, "the database chose the other session as the victim");
      if (write == Write.COMPLETION) {
        assertEquals(2, report.succeeded(), "both completions written");
        assertEquals(0, tables.pending());
      } else {
        assertEquals(2, report.retried(), "both retries written");
        assertEquals(
            0,
            tables.queryLong(
                "SELECT COUNT(*) FROM " + tables.jobTable() + " WHERE lease_token IS NOT NULL"),
            "no job left leased");
      }
    } finally {
      thread.shutdownNow();
    }
  }

  /** The drainer's sessions; on PostgreSQL they check for a deadlock 5 s into a wait. */
  private static HikariDataSource drainerPool(ScenarioTables tables) {
    String url = tables.url;
    if (tables.database == TestDatabase.POSTGRESQL) {
      url += (url.contains("?") ? "&" : "?") + "options=-c%20deadlock_timeout%3D5s";
    }
    return ScenarioTables.pool(tables.database, url, tables.sessionTag() + "-drainer", 4);
  }

  private static void lock(Connection connection, ScenarioTables tables, long id)
      throws SQLException {
    try (PreparedStatement lock =
        connection.prepareStatement(
            "SELECT id FROM " + tables.jobTable() + " WHERE id = ? FOR UPDATE")) {
      lock.setLong(1, id);
      try (ResultSet row = lock.executeQuery()) {
        row.next();
      }
    }
  }

  /** Takes the lock; false if this session was the deadlock's victim instead. */
  private static boolean lockOrBeVictim(Connection connection, ScenarioTables tables, long id)
      throws SQLException {
    try {
      lock(connection, tables, id);
      return true;
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("40")) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Whether a statement on the job table waits for a lock. On MariaDB this reads {@code SHOW ENGINE
   * INNODB STATUS}, made afresh for each call: {@code information_schema.INNODB_TRX} is a snapshot
   * that InnoDB renews only after 100 ms without any reader (trx0i_s.cc), so polling it (here, or
   * by any other session on the server) keeps showing the state from before the write waited.
   */
  private static boolean waiting(ScenarioTables tables) throws SQLException {
    if (tables.database == TestDatabase.POSTGRESQL) {
      return tables.queryLong(
              "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                  + " AND query LIKE '%"
                  + tables.jobTable()
                  + "%' AND pid <> pg_backend_pid()")
          > 0;
    }
    Pattern lockWait =
        Pattern.compile(
            "TRX HAS BEEN WAITING [^\\n]*\\n(?:RECORD|TABLE) LOCKS [^\\n]* of table `[^`]*`\\.`"
                + Pattern.quote(tables.jobTable())
                + "`");
    try (Connection connection = tables.dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet status = statement.executeQuery("SHOW ENGINE INNODB STATUS")) {
      return status.next() && lockWait.matcher(status.getString("Status")).find();
    }
  }
}
