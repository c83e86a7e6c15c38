package dev.outbox.jdbc.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * Ends a database session from another connection, as an operator, a failover or a network cut
 * would: PostgreSQL {@code pg_terminate_backend}, MariaDB {@code KILL CONNECTION}, H2 {@code
 * ABORT_SESSION}. The victim's open transaction is rolled back by the server; its next statement
 * fails.
 */
public final class SessionKiller {
  private final TestDatabase database;
  private final DataSource dataSource;

  public SessionKiller(TestDatabase database, DataSource dataSource) {
    this.database = database;
    this.dataSource = dataSource;
  }

  /** The server's id of the session behind {@code connection}. */
  public long sessionOf(Connection connection) throws SQLException {
    String sql =
        switch (database) {
          case POSTGRESQL -> "SELECT pg_backend_pid()";
          case MARIADB -> "SELECT CONNECTION_ID()";
          case H2 -> "SELECT SESSION_ID()";
        };
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }

  /**
   * What the driver says when the victim uses its connection again; one of these appears in the
   * error the drainer records.
   */
  public List<String> endedSessionErrors() {
    return switch (database) {
      case POSTGRESQL -> List.of("terminating connection due to administrator command");
      case MARIADB -> List.of("socket was closed by server", "Connection was killed");
      case H2 -> List.of("Database is already closed");
    };
  }

  /** Ends session {@code id} from another connection and waits until the server has done so. */
  public void kill(long id) throws SQLException {
    try (Connection other = dataSource.getConnection()) {
      switch (database) {
        case POSTGRESQL ->
            requireTrue(other, "SELECT pg_terminate_backend(CAST(? AS INTEGER), 10000)", id);
        case H2 -> requireTrue(other, "SELECT ABORT_SESSION(?)", id);
        case MARIADB -> {
          try (Statement statement = other.createStatement()) {
            statement.execute("KILL CONNECTION " + id);
          }
        }
      }
    }
  }

  private static void requireTrue(Connection connection, String sql, long id) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, id);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next() || !row.getBoolean(1)) {
          throw new IllegalStateException("session " + id + " was not ended by: " + sql);
        }
      }
    }
  }
}
