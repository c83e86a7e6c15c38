package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import liquibase.Liquibase;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shipped migrations run from Flyway and from Liquibase as they are, each in a schema of its
 * own (default table names), and the outbox then works on what they made.
 */
class MigrationToolsTest {

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void flywayRunsTheMigrationsAsTheyAreAndTheOutboxWorksOnTheResult(TestDatabase database)
      throws Exception {
    inFreshSchema(
        database,
        pool -> {
          Flyway flyway =
              Flyway.configure()
                  .dataSource(pool)
                  .locations("classpath:" + dialect(database).migrationLocation())
                  .table("outbox_schema_history")
                  .load();
          assertEquals(2, flyway.migrate().migrationsExecuted);
        });
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void liquibaseRunsTheChangelogAsItIsAndTheOutboxWorksOnTheResult(TestDatabase database)
      throws Exception {
    inFreshSchema(
        database,
        pool -> {
          try (Connection connection = pool.getConnection()) {
            Database target =
                DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            new Liquibase(
                    "dev/outbox/jdbc/schema/changelog.xml",
                    new ClassLoaderResourceAccessor(),
                    target)
                .update("");
          }
          assertEquals(2, count(pool, "SELECT COUNT(*) FROM DATABASECHANGELOG"));
        });
  }

  private interface Migration {
    void run(HikariDataSource pool) throws Exception;
  }

  /** Runs {@code migrate} on a new schema, then enqueues and drains a job there. */
  private static void inFreshSchema(TestDatabase database, Migration migrate) throws Exception {
    String schema = TestDatabase.uniquePrefix() + "_migrated";
    try (HikariDataSource admin = database.open(2)) {
      String url = admin.getJdbcUrl();
      if (database != TestDatabase.H2) {
        execute(admin, "CREATE " + container(database) + " " + schema);
      }
      try (HikariDataSource pool = pool(database, url, schema)) {
        migrate.run(pool);
        assertEquals(List.of("migrated"), enqueueAndDrain(pool));
      } finally {
        if (database != TestDatabase.H2) {
          execute(admin, "DROP " + container(database) + " " + schema + cascade(database));
        }
      }
    }
  }

  private static List<String> enqueueAndDrain(HikariDataSource pool) throws SQLException {
    JdbcOutbox<TestJob> outbox = JdbcOutbox.builder(pool, TestJob.class).build();
    try (Connection tx = pool.getConnection()) {
      tx.setAutoCommit(false);
      outbox.enqueue(tx, new TestJob.Greet("migrated"));
      tx.commit();
    }
    List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
    Drainer<TestJob> drainer =
        outbox
            .drainer()
            .handler(
                job -> {
                  handled.add(((TestJob.Greet) job.payload()).name());
                  return Outcome.done();
                })
            .build();
    drainer.start(); // refuses tables that lack a migration
    try {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (handled.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      drainer.close(java.time.Duration.ofSeconds(5));
    }
    return handled;
  }

  /** A pool whose connections use {@code schema} by default (H2: a fresh in-memory database). */
  private static HikariDataSource pool(TestDatabase database, String url, String schema) {
    HikariConfig config = new HikariConfig();
    config.setMaximumPoolSize(4);
    config.setJdbcUrl(
        switch (database) {
          case H2 -> database.url();
          case POSTGRESQL -> url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
          case MARIADB -> url.replaceFirst("(//[^/]+/)[^?]*", "$1" + schema);
        });
    return new HikariDataSource(config);
  }

  private static String container(TestDatabase database) {
    return database == TestDatabase.POSTGRESQL ? "SCHEMA" : "DATABASE";
  }

  private static String cascade(TestDatabase database) {
    return database == TestDatabase.POSTGRESQL ? " CASCADE" : "";
  }

  private static Dialect dialect(TestDatabase database) {
    return switch (database) {
      case H2 -> Dialect.H2;
      case POSTGRESQL -> Dialect.POSTGRESQL;
      case MARIADB -> Dialect.MARIADB;
    };
  }

  private static void execute(HikariDataSource pool, String sql) throws SQLException {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static long count(HikariDataSource pool, String sql) throws SQLException {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        var rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
