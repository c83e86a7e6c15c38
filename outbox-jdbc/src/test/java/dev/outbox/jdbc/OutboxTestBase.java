package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.Backoff;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.job.EnqueueResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Fresh tables on a real database for every test; helpers that read the tables directly. */
public abstract class OutboxTestBase {
  protected HikariDataSource dataSource;
  protected JdbcOutbox<TestJob> outbox;
  protected String jobTable;
  protected String deadLetterTable;
  protected String effectTable;

  /** The database this test class runs on. */
  protected abstract TestDatabase database();

  @BeforeEach
  void createTables() throws SQLException {
    dataSource = database().open(24);
    String prefix = TestDatabase.uniquePrefix();
    jobTable = prefix + "_job";
    deadLetterTable = prefix + "_dead";
    effectTable = prefix + "_effect";
    outbox = outboxOn(dataSource).build();
    outbox.createSchemaIfMissing();
    execute("CREATE TABLE " + effectTable + " (id BIGINT PRIMARY KEY, note VARCHAR(100))");
  }

  @AfterEach
  void dropTables() {
    if (dataSource != null) {
      TestDatabase.drop(dataSource, jobTable, deadLetterTable, effectTable);
      dataSource.close();
    }
  }

  /**
   * An outbox builder over this test's tables on {@code pool}, for outboxes beside {@link #outbox}.
   */
  protected JdbcOutbox.Builder<TestJob> outboxOn(DataSource pool) {
    return JdbcOutbox.builder(pool, TestJob.class)
        .jobTable(jobTable)
        .deadLetterTable(deadLetterTable);
  }

  /** Another pool on this test's database: {@code size} connections, waiting {@code timeoutMs}. */
  protected HikariDataSource smallPool(int size, long timeoutMs) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(dataSource.getJdbcUrl());
    config.setMaximumPoolSize(size);
    config.setConnectionTimeout(timeoutMs);
    config.setPoolName("small-" + size);
    return new HikariDataSource(config);
  }

  /** A drainer with test-friendly settings: long lease, 1-minute fixed backoff. */
  protected DrainerBuilder<TestJob> drainer() {
    return outbox
        .drainer()
        .lease(Duration.ofMinutes(1))
        .backoff(Backoff.fixed(Duration.ofMinutes(1)))
        .concurrency(8);
  }

  /** Enqueues the jobs in one committed transaction and returns their ids. */
  protected List<Long> enqueueCommitted(TestJob... jobs) throws SQLException {
    return enqueueCommitted(EnqueueOptions.defaults(), jobs);
  }

  protected List<Long> enqueueCommitted(EnqueueOptions options, TestJob... jobs)
      throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      for (TestJob job : jobs) {
        EnqueueResult result = outbox.enqueue(tx, job, options);
        if (result instanceof EnqueueResult.Stored stored) {
          ids.add(stored.id());
        }
      }
      tx.commit();
    }
    return ids;
  }

  protected void execute(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  protected long count(String table) throws SQLException {
    return queryLong("SELECT COUNT(*) FROM " + table);
  }

  protected long queryLong(String sql, Object... params) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getLong(1) : -1;
      }
    }
  }

  /** The event ids of every row in the job table. */
  protected java.util.Set<String> eventIds() throws SQLException {
    return strings("SELECT event_id FROM " + jobTable);
  }

  /** The first column of every row {@code sql} returns. */
  protected java.util.Set<String> strings(String sql) throws SQLException {
    java.util.Set<String> found = new java.util.HashSet<>();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        found.add(rows.getString(1));
      }
    }
    return found;
  }

  /** The attempts column of a job, or -1 if it is gone. */
  protected long attempts(long id) throws SQLException {
    return queryLong("SELECT attempts FROM " + jobTable + " WHERE id = ?", id);
  }

  /** Makes every pending job due now, as if its backoff had elapsed. */
  protected void makeAllDue() throws SQLException {
    execute("UPDATE " + jobTable + " SET run_at = 0 WHERE lease_token IS NULL");
  }

  /** Fails unless {@code text} contains every one of {@code parts}. */
  protected static void assertContains(String text, String... parts) {
    for (String part : parts) {
      org.junit.jupiter.api.Assertions.assertTrue(
          text != null && text.contains(part), "expected '" + part + "' in: " + text);
    }
  }

  /** Inserts a raw row as a broken producer or a hand edit would. */
  protected void insertRaw(String kind, String payload) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO "
                    + jobTable
                    + " (kind, payload, created_at, run_at, attempts) VALUES (?, ?, 0, 0, 0)")) {
      insert.setString(1, kind);
      insert.setString(2, payload);
      insert.executeUpdate();
    }
  }

  /**
   * What {@link #loseTheLease} did: the stale drainer's report and the report of the one that took
   * over.
   */
  protected record LostLease(DrainReport stale, DrainReport taker) {}

  /**
   * Drains the one due job with {@code stale}, whose handler waits until another drainer has taken
   * the job over an expired lease (and snoozed it for an hour), then returns done.
   */
  protected LostLease loseTheLease(DrainerBuilder<TestJob> stale) throws Exception {
    CountDownLatch staleStarted = new CountDownLatch(1);
    CountDownLatch letStaleFinish = new CountDownLatch(1);
    Drainer<TestJob> staleDrainer =
        stale
            .handler(
                job -> {
                  staleStarted.countDown();
                  letStaleFinish.await(1, TimeUnit.MINUTES);
                  return Outcome.done();
                })
            .build();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      Future<DrainReport> staleRun = thread.submit(staleDrainer::drainOnce);
      assertTrue(staleStarted.await(30, TimeUnit.SECONDS));
      Drainer<TestJob> other =
          drainer().handler(job -> Outcome.retryAfter(Duration.ofHours(1))).build();
      DrainReport taker = DrainReport.EMPTY;
      while (taker.claimed() == 0) {
        Thread.sleep(100);
        expireLeases(); // the stale drainer renews; as if its renewals stopped reaching the
        // database
        taker = other.drainOnce();
      }
      letStaleFinish.countDown();
      return new LostLease(staleRun.get(30, TimeUnit.SECONDS), taker);
    } finally {
      thread.shutdown();
    }
  }

  /** Ends every lease now, as a drainer whose renewals no longer reach the database would see. */
  protected void expireLeases() throws SQLException {
    execute("UPDATE " + jobTable + " SET lease_until = 0 WHERE lease_token IS NOT NULL");
  }
}
