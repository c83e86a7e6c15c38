package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import dev.outbox.jdbc.TransactionRunner;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
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

  /** How many times in all {@link #retryingOutcomeWrite} asks an exhausted pool for a write. */
  static final int STARVED_ATTEMPTS = 3;

  private final DataSource dataSource;
  private final int networkTimeoutMillis;
  private volatile boolean networkTimeoutUnsupported;
  private final TransactionRunner handlerRunner;

  /** Work on a borrowed connection. */
  @FunctionalInterface
  public interface Work<T> {
    /** Does the work. */
    T run(Connection connection) throws SQLException;
  }

  public Transactions(DataSource dataSource) {
    this(dataSource, Duration.ZERO, null);
  }

  /**
   * Work on connections whose every statement fails after {@code networkTimeout} without an answer
   * ({@link Connection#setNetworkTimeout}, put back when the connection is returned), so that a
   * half-open connection fails a statement instead of blocking its thread for good; zero for none.
   * {@code handlerRunner} opens the transactions of transactional handlers ({@link
   * #inHandlerTransaction}); null for the library's own.
   */
  public Transactions(
      DataSource dataSource, Duration networkTimeout, TransactionRunner handlerRunner) {
    this.dataSource = dataSource;
    this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, networkTimeout.toMillis());
    this.handlerRunner = handlerRunner;
  }

  /** The data source connections are borrowed from. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** Runs {@code work} in auto-commit mode (single statements). */
  public <T> T autoCommit(String what, Work<T> work) {
    try (Borrowed borrowed = borrow(what)) {
      Connection connection = borrowed.connection;
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
    try (Borrowed borrowed = borrow(what)) {
      Connection connection = borrowed.connection;
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
   * A connection from the data source.
   *
   * @throws NoConnection if the data source gave none (an exhausted pool's timeout, the database
   *     refusing the login): nothing was run
   */
  private Borrowed borrow(String what) throws SQLException {
    Connection connection;
    try {
      connection = dataSource.getConnection();
    } catch (SQLException e) {
      throw new NoConnection(what, e);
    }
    if (networkTimeoutMillis == 0 || networkTimeoutUnsupported) {
      return new Borrowed(connection, -1);
    }
    try {
      int was = connection.getNetworkTimeout();
      connection.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
      return new Borrowed(connection, was);
    } catch (SQLFeatureNotSupportedException e) {
      networkTimeoutUnsupported = true; // embedded H2: there is no network to wait on
      return new Borrowed(connection, -1);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /** A borrowed connection whose network timeout is put back before it is returned. */
  private static final class Borrowed implements AutoCloseable {
    final Connection connection;
    private final int networkTimeoutWas;

    Borrowed(Connection connection, int networkTimeoutWas) {
      this.connection = connection;
      this.networkTimeoutWas = networkTimeoutWas;
    }

    @Override
    public void close() throws SQLException {
      try (connection) {
        if (networkTimeoutWas >= 0 && !connection.isClosed()) {
          connection.setNetworkTimeout(Runnable::run, networkTimeoutWas);
        }
      }
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
      return handlerRunner.inTransaction(dataSource, connection -> timed(connection, work));
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /**
   * Runs {@code work} on a connection someone else borrowed (a framework's transaction) with this
   * network timeout, put back after.
   */
  private <T> T timed(Connection connection, Work<T> work) throws SQLException {
    if (networkTimeoutMillis == 0 || networkTimeoutUnsupported) {
      return work.run(connection);
    }
    int was;
    try {
      was = connection.getNetworkTimeout();
      connection.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
    } catch (SQLFeatureNotSupportedException e) {
      networkTimeoutUnsupported = true;
      return work.run(connection);
    }
    try {
      return work.run(connection);
    } finally {
      connection.setNetworkTimeout(Runnable::run, was);
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
    return retrying(write, false);
  }

  /**
   * As {@link #retryingConflicts}, and also runs a write again when the pool had no connection for
   * it (up to {@value #STARVED_ATTEMPTS} times in all): the drainer's outcome writes, which would
   * otherwise leave a whole batch to run again after its lease, each claim counting an attempt.
   */
  public static <T> T retryingOutcomeWrite(Supplier<T> write) {
    return retrying(write, true);
  }

  private static <T> T retrying(Supplier<T> write, boolean whenStarved) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (NoConnection e) {
        if (!whenStarved || attempt >= STARVED_ATTEMPTS) {
          throw e;
        }
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

  /** Whether {@code error} is a deadlock or serialization victim; false without a SQLState. */
  static boolean isConflict(Throwable error) {
    return error instanceof SQLException sql
        && sql.getSQLState() != null
        && CONFLICTS.contains(sql.getSQLState());
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

  /**
   * The data source gave no connection, so the work did not start: nothing ran, nothing is to be
   * undone, and a job whose handler needed it did not run.
   */
  public static final class NoConnection extends OutboxException.StoreFailure {
    private static final long serialVersionUID = 1L;

    NoConnection(String what, SQLException e) {
      super(
          what
              + " failed: no connection from the data source: "
              + e.getMessage()
              + " (SQLState "
              + e.getSQLState()
              + "). If the pool timed out, it is smaller than what its users hold at once:"
              + " raise its maximum size or lower the drainer's concurrency",
          e);
    }
  }

  /** Wraps a driver error with what the library was doing. */
  public static OutboxException.StoreFailure failure(String what, SQLException e) {
    return new OutboxException.StoreFailure(
        what + " failed: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")", e);
  }
}
