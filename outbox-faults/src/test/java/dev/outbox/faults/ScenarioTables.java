package dev.outbox.faults;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterQuery;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;
import javax.sql.DataSource;

/**
 * One scenario's own tables on a real database, and pools whose sessions carry the scenario's name
 * (PostgreSQL {@code application_name}), so that the suite can find and terminate exactly its own
 * sessions. Every session runs in a time zone far from UTC, as in the contract tests.
 */
final class ScenarioTables implements AutoCloseable {
  final TestDatabase database;
  final String url;
  final String prefix;
  final HikariDataSource dataSource;
  final JdbcOutbox<FaultJob> outbox;
  private final List<HikariDataSource> pools = new ArrayList<>();

  private ScenarioTables(TestDatabase database, int poolSize) {
    this.database = database;
    this.url = database.url();
    this.prefix = "f" + TestDatabase.uniquePrefix();
    this.dataSource = pool("main", poolSize);
    this.outbox = outboxOn(dataSource);
    outbox.createSchemaIfMissing();
  }

  /**
   * Fresh tables on {@code database}; skips the test when the database cannot be reached (fails
   * instead when CI requires every database).
   */
  static ScenarioTables create(TestDatabase database, int poolSize) {
    if (database != TestDatabase.H2) {
      database.open(1).close(); // reachable, or the test is skipped (or failed under CI)
    }
    return new ScenarioTables(database, poolSize);
  }

  String jobTable() {
    return prefix + "_job";
  }

  String deadLetterTable() {
    return prefix + "_dead";
  }

  /** The application name of this scenario's sessions; a pool's name is appended. */
  String sessionTag() {
    return "outbox-faults-" + prefix;
  }

  /** The outbox over this scenario's tables on another pool, as another instance would have. */
  JdbcOutbox<FaultJob> outboxOn(DataSource pool) {
    return JdbcOutbox.builder(pool, FaultJob.class)
        .jobTable(jobTable())
        .deadLetterTable(deadLetterTable())
        .build();
  }

  /** Another pool on the same database, closed with the tables. */
  HikariDataSource pool(String name, int size) {
    HikariDataSource pool = pool(database, url, sessionTag() + "-" + name, size);
    pools.add(pool);
    return pool;
  }

  /** Closes {@code pool} with the tables. */
  void adopt(HikariDataSource pool) {
    pools.add(pool);
  }

  /** A pool on {@code url} whose sessions are named {@code applicationName} where supported. */
  static HikariDataSource pool(
      TestDatabase database, String url, String applicationName, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(size);
    config.setPoolName(applicationName);
    config.setConnectionTimeout(10_000);
    // Start even when the first session is refused or terminated; connect on demand. Then the
    // isolation must be named: a pool left to detect it from a first session that is terminated
    // during setup keeps -1 and can never connect again (HikariCP issues 1944 and 2269; seen here).
    config.setInitializationFailTimeout(-1);
    config.setTransactionIsolation(
        database == TestDatabase.MARIADB
            ? "TRANSACTION_REPEATABLE_READ"
            : "TRANSACTION_READ_COMMITTED");
    config.setConnectionInitSql(
        switch (database) {
          case POSTGRESQL, H2 -> "SET TIME ZONE '" + TestDatabase.ZONE + "'";
          case MARIADB -> "SET time_zone = '-09:30'";
        });
    if (database == TestDatabase.POSTGRESQL) {
      config.addDataSourceProperty("ApplicationName", applicationName);
    }
    return new HikariDataSource(config);
  }

  /** Enqueues {@code Work(0)} to {@code Work(count - 1)} in one committed transaction. */
  void enqueueWork(long count) throws SQLException {
    List<FaultJob> jobs = new ArrayList<>();
    LongStream.range(0, count).forEach(n -> jobs.add(new FaultJob.Work(n)));
    enqueue(jobs, EnqueueOptions.defaults());
  }

  /** Enqueues the jobs in one committed transaction, with one JDBC batch. */
  void enqueue(List<FaultJob> jobs, EnqueueOptions options) throws SQLException {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      outbox.enqueueAll(tx, jobs, options);
      tx.commit();
    }
  }

  /** Every dead letter (up to 10,000). */
  List<DeadLetter> deadLetters() {
    return outbox.deadLetters().list(DeadLetterQuery.all().withLimit(10_000));
  }

  /** The number of the job a dead letter holds. */
  long number(DeadLetter letter) {
    return outbox.codec().parse(letter.kind(), letter.payload()).get().n();
  }

  long count(String table) throws SQLException {
    return queryLong("SELECT COUNT(*) FROM " + table);
  }

  long pending() throws SQLException {
    return count(jobTable());
  }

  long deadLettered() throws SQLException {
    return count(deadLetterTable());
  }

  long queryLong(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      return row.next() ? row.getLong(1) : -1;
    }
  }

  void execute(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** Inserts a row by hand, as a broken producer or an operator's edit would. */
  void insertRaw(String kind, String payload, String orderingKey) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO "
                    + jobTable()
                    + " (kind, payload, ordering_key, created_at, run_at, attempts)"
                    + " VALUES (?, ?, ?, 0, 0, 0)")) {
      insert.setString(1, kind);
      insert.setString(2, payload);
      insert.setString(3, orderingKey);
      insert.executeUpdate();
    }
  }

  /**
   * Terminates, from the database side (as a failover, an operator or a network cut would), the
   * PostgreSQL sessions of this scenario's pools whose name starts with {@code poolName}; returns
   * how many.
   */
  int terminateSessions(String poolName) throws SQLException {
    if (database != TestDatabase.POSTGRESQL) {
      throw new IllegalStateException("terminating sessions is done on PostgreSQL only");
    }
    try (Connection connection = dataSource.getConnection()) {
      return Sessions.terminate(connection, sessionTag() + "-" + poolName + "%");
    }
  }

  @Override
  public void close() {
    try {
      TestDatabase.drop(dataSource, jobTable(), deadLetterTable());
    } finally {
      pools.forEach(HikariDataSource::close);
    }
  }

  @Override
  public String toString() {
    return database.name().toLowerCase(Locale.ROOT) + " " + prefix;
  }
}
