package dev.outbox.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * One database under test: a HikariCP pool shared by every contestant, seen through a {@link
 * StatementCounter}, and a few helpers for the harness's own (uncounted) SQL.
 */
final class Database implements AutoCloseable {
  /** The pool size of the reference runs. */
  static final int POOL_SIZE = 24;

  /** Which database. */
  enum Kind {
    POSTGRESQL("OUTBOX_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"),
    MARIADB("OUTBOX_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test?user=root"),
    H2(null, "jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1");

    private final String env;
    private final String defaultUrl;

    Kind(String env, String defaultUrl) {
      this.env = env;
      this.defaultUrl = defaultUrl;
    }

    String url() {
      String override = env == null ? null : System.getenv(env);
      return override != null && !override.isBlank() ? override : defaultUrl;
    }
  }

  private final Kind kind;
  private final HikariDataSource pool;
  private final StatementCounter counter = new StatementCounter();
  private final DataSource counted;

  private Database(Kind kind, HikariDataSource pool) {
    this.kind = kind;
    this.pool = pool;
    this.counted = counter.wrap(pool);
  }

  /** Opens a pool of {@code poolSize} on {@code kind}, with {@code urlSuffix} appended. */
  static Database open(Kind kind, int poolSize, String urlSuffix) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(kind.url() + urlSuffix);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(poolSize);
    config.setPoolName("bench-" + kind.name().toLowerCase(Locale.ROOT));
    config.setConnectionTimeout(30_000);
    return new Database(kind, new HikariDataSource(config));
  }

  static Database open(Kind kind) {
    return open(kind, POOL_SIZE, "");
  }

  Kind kind() {
    return kind;
  }

  /** The data source contestants use: the pool, counting statements. */
  DataSource dataSource() {
    return counted;
  }

  /** The pool itself, for the harness's own work (prefills), uncounted. */
  DataSource uncounted() {
    return pool;
  }

  /** Statements counted so far on {@link #dataSource()}. */
  long statements() {
    return counter.count();
  }

  /** Statements counted so far on {@link #dataSource()} that the calling thread sent. */
  long statementsOnThisThread() {
    return counter.countOnThisThread();
  }

  /** Runs statements in auto-commit, uncounted. */
  void execute(String... sql) {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      for (String one : sql) {
        statement.execute(one);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage() + " in " + List.of(sql), e);
    }
  }

  /**
   * Runs statements on a connection of its own, outside the pool: for work that must happen even
   * when the pool is closed or exhausted (restoring server settings).
   */
  void executeDirect(String... sql) {
    try (Connection connection = java.sql.DriverManager.getConnection(kind.url());
        Statement statement = connection.createStatement()) {
      for (String one : sql) {
        statement.execute(one);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage() + " in " + List.of(sql), e);
    }
  }

  /** Runs statements, ignoring failures (cleanup of tables that may not exist). */
  void executeQuietly(String... sql) {
    for (String one : sql) {
      try {
        execute(one);
      } catch (IllegalStateException ignored) {
        // the table was not there
      }
    }
  }

  /** The first column of the first row, as a long; 0 if there is no row. */
  long queryLong(String sql, Object... parameters) {
    String text = queryString(sql, parameters);
    return text == null ? 0 : Long.parseLong(text.trim());
  }

  /** The first column of the first row, as text; null if there is no row. */
  String queryString(String sql, Object... parameters) {
    try (Connection connection = pool.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage() + " in " + sql, e);
    }
  }

  /** Every row of a query, each as column label to text. */
  List<Map<String, String>> query(String sql) {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<Map<String, String>> result = new java.util.ArrayList<>();
      int columns = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 1; i <= columns; i++) {
          row.put(rows.getMetaData().getColumnLabel(i), rows.getString(i));
        }
        result.add(row);
      }
      return result;
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage() + " in " + sql, e);
    }
  }

  /** Drops tables if they exist. */
  void drop(String... tables) {
    for (String table : tables) {
      execute("DROP TABLE IF EXISTS " + table);
    }
  }

  /** Rows left in a table. */
  long rows(String table) {
    return queryLong("SELECT COUNT(*) FROM " + table);
  }

  /** PostgreSQL: VACUUM ANALYZE a table, so that every contestant starts from the same state. */
  void vacuumAnalyze(String table) {
    if (kind == Kind.POSTGRESQL) {
      execute("VACUUM ANALYZE " + table);
    } else if (kind == Kind.MARIADB) {
      execute("ANALYZE TABLE " + table);
    }
  }

  /** PostgreSQL: write dirty buffers now rather than in the middle of a measurement. */
  void checkpoint() {
    if (kind == Kind.POSTGRESQL) {
      execute("CHECKPOINT");
    }
  }

  /**
   * PostgreSQL: the server's WAL position in bytes, exact at any moment (unlike the statistics
   * views, which backends update in batches); NaN elsewhere.
   */
  double walPosition() {
    if (kind != Kind.POSTGRESQL) {
      return Double.NaN;
    }
    return Double.parseDouble(queryString("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')"));
  }

  @Override
  public void close() {
    pool.close();
  }
}
