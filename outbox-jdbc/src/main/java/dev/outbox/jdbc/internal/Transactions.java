package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import dev.outbox.jdbc.TransactionRunner;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Runs work on a connection the library borrows from the data source, and always gives it back in
 * the state it was found (auto-commit, isolation). Internal.
 */
public final class Transactions {
  /** SQLStates of work the database rolled back to break a deadlock or serialization conflict. */
  private static final Set<String> CONFLICTS = Set.of("40001", "40P01");

  /** How many times in all {@link #retryingConflicts} runs a write. */
  static final int CONFLICT_ATTEMPTS = 5;

  private final DataSource dataSource;
  private final TransactionRunner handlerRunner;

  /** Work on a borrowed connection. */
  @FunctionalInterface
  public interface Work<T> {
    /** Does the work. */
    T run(Connection connection) throws SQLException;
  }

  public Transactions(DataSource dataSource) {
    this(dataSource, null);
  }

  /**
   * With {@code handlerRunner} opening the transactions of transactional handlers ({@link
   * #inHandlerTransaction}); null for the library's own.
   */
  public Transactions(DataSource dataSource, TransactionRunner handlerRunner) {
    this.dataSource = dataSource;
    this.handlerRunner = handlerRunner;
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
      T result;
      try {
        result = work.run(connection);
      } catch (SQLException | RuntimeException | Error e) {
        restoreQuietly(connection, was, false, 0, e);
        throw e;
      }
      restore(connection, was, false, 0);
      return result;
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
      T result;
      try {
        result = work.run(connection);
        connection.commit();
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(connection, e);
        restoreQuietly(connection, was, changeIsolation, isolation, e);
        throw e;
      }
      restore(connection, was, changeIsolation, isolation);
      return result;
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /**
   * Runs a transactional handler's transaction: through the configured {@link TransactionRunner},
   * or else as {@link #inTransaction(String, Work)}.
   */
  public <T> T inHandlerTransaction(String what, Work<T> work) {
    if (handlerRunner == null) {
      return inTransaction(what, work);
    }
    try {
      return handlerRunner.inTransaction(dataSource, work::run);
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /**
   * Runs {@code write} ({@link #autoCommit} or {@link #inTransaction} work) again when the database
   * rolled it back as the victim of a deadlock or a serialization conflict, a few times, after a
   * short random pause. Such a failure undid the whole write, so running it again is safe for any
   * write that may run twice: the drainer's fenced outcome writes. Without it, a routine conflict
   * with another drainer's claim would leave a batch's outcomes unwritten until the leases expire.
   */
  public static <T> T retryingConflicts(Supplier<T> write) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (OutboxException.StoreFailure e) {
        if (attempt >= CONFLICT_ATTEMPTS || !isConflict(e.getCause())) {
          throw e;
        }
        try {
          Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static boolean isConflict(Throwable error) {
    return error instanceof SQLException sql && CONFLICTS.contains(sql.getSQLState());
  }

  /** Gives the connection back the auto-commit mode it had (and isolation, if it was changed). */
  private static void restore(
      Connection connection, boolean autoCommitWas, boolean changeIsolation, int isolation)
      throws SQLException {
    if (connection.getAutoCommit() != autoCommitWas) {
      connection.setAutoCommit(autoCommitWas);
    }
    if (changeIsolation) {
      connection.setTransactionIsolation(isolation);
    }
  }

  /**
   * As {@link #restore}, after a failure: a connection the server has ended cannot be restored, and
   * that second error must not replace the first, which says why the work failed.
   */
  private static void restoreQuietly(
      Connection connection,
      boolean autoCommitWas,
      boolean changeIsolation,
      int isolation,
      Throwable cause) {
    try {
      restore(connection, autoCommitWas, changeIsolation, isolation);
    } catch (SQLException | RuntimeException e) {
      cause.addSuppressed(e);
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
