package dev.outbox.jdbc.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases the tests run on, over real connections. H2 is embedded and always there.
 * PostgreSQL and MariaDB are the local services (URLs overridable with {@code OUTBOX_PG_URL} and
 * {@code OUTBOX_MARIADB_URL}), or else a Testcontainers container where a Docker engine answers;
 * when neither can be had its tests are skipped with the reason, unless {@code
 * -Doutbox.requireDatabases=true} (set by CI), which makes them fail instead.
 *
 * <p>Every session runs in a time zone far from UTC, so a test would notice any time computed from
 * the session's zone instead of the database clock in UTC.
 */
public enum TestDatabase {
  H2(null, "SET TIME ZONE 'Pacific/Chatham'"),
  POSTGRESQL(
      "jdbc:postgresql://127.0.0.1:5432/test?user=postgres", "SET TIME ZONE 'Pacific/Chatham'"),
  MARIADB("jdbc:mariadb://127.0.0.1:3306/test?user=root", "SET time_zone = '-09:30'");

  /** A far-from-UTC zone for sessions and the JVM. */
  public static final String ZONE = "Pacific/Chatham";

  private final String defaultUrl;
  private final String sessionZoneSql;

  TestDatabase(String defaultUrl, String sessionZoneSql) {
    this.defaultUrl = defaultUrl;
    this.sessionZoneSql = sessionZoneSql;
  }

  /** The JDBC URL of this database. */
  public String url() {
    if (this == H2) {
      return "jdbc:h2:mem:outbox_"
          + Long.toHexString(ThreadLocalRandom.current().nextLong())
          + ";DB_CLOSE_DELAY=-1";
    }
    String env = System.getenv(this == POSTGRESQL ? "OUTBOX_PG_URL" : "OUTBOX_MARIADB_URL");
    return env != null && !env.isBlank() ? env : defaultUrl;
  }

  /** Whether CI asked for every database to be present. */
  public static boolean required() {
    return Boolean.parseBoolean(System.getProperty("outbox.requireDatabases", "false"))
        || "true".equalsIgnoreCase(System.getenv("OUTBOX_REQUIRE_DATABASES"));
  }

  /**
   * A pooled data source on this database whose sessions use a non-UTC time zone; skips (or, when
   * required, fails) the calling test if the database is not reachable.
   */
  public HikariDataSource open(int poolSize) {
    String url = this == H2 ? url() : reachableUrl();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(poolSize);
    config.setConnectionInitSql(sessionZoneSql);
    config.setPoolName("test-" + name().toLowerCase(Locale.ROOT));
    config.setConnectionTimeout(10_000);
    return new HikariDataSource(config);
  }

  /** The local server's URL, else a container's where Docker answers, else skip (or fail in CI). */
  private String reachableUrl() {
    String url = url();
    try (Connection connection = DriverManager.getConnection(url)) {
      connection.isValid(2);
      return url;
    } catch (SQLException e) {
      var container = Containers.urlFor(this);
      if (container.isPresent()) {
        return container.get();
      }
      String why =
          this
              + " is not reachable at "
              + url
              + " ("
              + e.getMessage()
              + ") and Docker is not"
              + " available for a container";
      if (required()) {
        Assertions.fail(
            why + "; CI requires it (outbox.requireDatabases=true). Start it: see .ci/run");
      }
      Assumptions.abort(why + "; skipping. Start it, or set OUTBOX_PG_URL / OUTBOX_MARIADB_URL");
      throw new IllegalStateException("unreachable");
    }
  }

  /** A fresh table-name prefix, so that tests never see each other's rows. */
  public static String uniquePrefix() {
    return "t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
  }

  /** Drops tables, ignoring ones that do not exist. */
  public static void drop(javax.sql.DataSource dataSource, String... tables) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      for (String table : tables) {
        statement.execute("DROP TABLE IF EXISTS " + table);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop " + String.join(", ", tables), e);
    }
  }
}
