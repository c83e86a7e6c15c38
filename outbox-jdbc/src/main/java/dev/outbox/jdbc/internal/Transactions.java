package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs work on a connection the library borrows from the data source, and always gives it back in
 * the state it was found (auto-commit, isolation). Internal.
 */
public final class Transactions {
  private final DataSource dataSource;

  /** Work on a borrowed connection. */
  @FunctionalInterface
  public interface Work<T> {
    /** Does the work. */
    T run(Connection connection) throws SQLException;
  }

  public Transactions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The data source connections are borrowed from. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** Runs {@code work} in auto-commit mode (single statements). */
  public <T> T autoCommit(String what, Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      boolean was = connection.getAutoCommit();
      if (!was) {
        connection.setAutoCommit(true);
      }
      try {
        return work.run(connection);
      } finally {
        if (!was) {
          connection.setAutoCommit(false);
        }
      }
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /** Runs {@code work} in one transaction: commits if it returns, rolls back if it throws. */
  public <T> T inTransaction(String what, Work<T> work) {
    return inTransaction(what, false, work);
  }

  /** As {@link #inTransaction(String, Work)}, at READ COMMITTED when asked. */
  public <T> T inTransaction(String what, boolean readCommitted, Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      boolean was = connection.getAutoCommit();
      // Read only when needed: pgjdbc answers getTransactionIsolation() with a server round trip.
      int isolation = readCommitted ? connection.getTransactionIsolation() : -1;
      boolean changeIsolation = readCommitted && isolation != Connection.TRANSACTION_READ_COMMITTED;
      if (changeIsolation) {
        connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
      if (was) {
        connection.setAutoCommit(false);
      }
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(connection, e);
        throw e;
      } finally {
        if (was) {
          connection.setAutoCommit(true);
        }
        if (changeIsolation) {
          connection.setTransactionIsolation(isolation);
        }
      }
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /** Rolls back, adding a rollback failure to {@code cause} instead of hiding it. */
  public static void rollbackQuietly(Connection connection, Throwable cause) {
    try {
      connection.rollback();
    } catch (SQLException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  /** Wraps a driver error with what the library was doing. */
  public static OutboxException.StoreFailure failure(String what, SQLException e) {
    return new OutboxException.StoreFailure(
        what + " failed: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")", e);
  }
}
