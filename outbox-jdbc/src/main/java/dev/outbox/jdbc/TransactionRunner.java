package dev.outbox.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * How the transaction of a {@linkplain dev.outbox.drain.TransactionalHandler transactional handler}
 * is opened and ended. The default borrows a connection from the outbox's data source, turns
 * auto-commit off, and commits or rolls back itself. A framework integration replaces it so that
 * the transaction is the framework's own: the Spring Boot module runs it through Spring's
 * transaction manager, so that code inside the handler which joins "the current transaction"
 * ({@code JdbcTemplate}, {@code @Transactional} beans) joins the library's, on the locked job row.
 *
 * <p>Contract: {@link #inTransaction} opens a new transaction (never joins one already open on the
 * calling thread) on a connection of {@code dataSource} with auto-commit off, calls {@code work}
 * once with that connection, then commits if {@code work} returned and rolls back if it threw,
 * rethrowing what it threw unchanged. A failure to begin, commit or roll back is thrown as an
 * {@link SQLException} (the library then records the job as failed, to run again). It leaves the
 * connection as it found it. Must be thread-safe: drainers call it from several threads at once.
 */
@FunctionalInterface
public interface TransactionRunner {

  /**
   * Runs {@code work} in a new transaction on a connection of {@code dataSource}; see the type's
   * contract.
   */
  <T> T inTransaction(DataSource dataSource, Work<T> work) throws SQLException;

  /** Work inside the transaction, on its connection. */
  @FunctionalInterface
  interface Work<T> {
    /** Does the work; throwing rolls the transaction back. */
    T run(Connection connection) throws SQLException;
  }
}
