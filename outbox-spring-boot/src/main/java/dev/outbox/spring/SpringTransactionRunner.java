package dev.outbox.spring;

import dev.outbox.jdbc.TransactionRunner;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs each transactional handler's transaction as a new Spring transaction of the given manager,
 * on the connection Spring binds to it. Inside the handler, {@code JdbcTemplate}, {@code
 * JdbcClient} and {@code @Transactional(propagation = REQUIRED)} beans join the library's
 * transaction on the locked job row, so their writes commit or roll back with the job's completion;
 * {@code TransactionSynchronization.afterCommit} callbacks run after the real commit and never
 * after a rollback.
 *
 * <p>The manager must manage the outbox's data source: a {@code DataSourceTransactionManager} over
 * it, or a {@code JpaTransactionManager} whose connection is that data source's. A transaction
 * whose connection comes out in auto-commit mode (another data source) is refused, and the job
 * recorded as failed. Thread-safe.
 */
public final class SpringTransactionRunner implements TransactionRunner {
  private final TransactionTemplate template;

  private SpringTransactionRunner(PlatformTransactionManager transactionManager) {
    this.template = new TransactionTemplate(transactionManager);
    template.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    template.setName("outbox transactional handler");
  }

  /** A runner whose transactions are {@code transactionManager}'s. */
  public static SpringTransactionRunner of(PlatformTransactionManager transactionManager) {
    return new SpringTransactionRunner(
        Objects.requireNonNull(transactionManager, "transactionManager"));
  }

  @Override
  public <T> T inTransaction(DataSource dataSource, Work<T> work) throws SQLException {
    boolean[] workThrew = {false};
    try {
      return template.execute(
          status -> {
            Connection connection = DataSourceUtils.getConnection(dataSource);
            try {
              requireTransactional(connection);
              return work.run(connection);
            } catch (SQLException e) {
              workThrew[0] = true;
              throw new WorkFailed(e);
            } catch (RuntimeException | Error e) {
              workThrew[0] = true;
              throw e;
            } finally {
              DataSourceUtils.releaseConnection(connection, dataSource);
            }
          });
    } catch (WorkFailed e) {
      throw e.failure;
    } catch (RuntimeException e) {
      if (workThrew[0]) {
        throw e;
      }
      // Begin, commit or rollback failed in the transaction manager.
      throw new SQLException("the Spring transaction failed: " + e.getMessage(), e);
    }
  }

  private static void requireTransactional(Connection connection) throws SQLException {
    if (connection.getAutoCommit()) {
      throw new SQLException(
          "the transaction manager does not manage the outbox's DataSource: its connection is in"
              + " auto-commit mode inside the transaction. Give the outbox the DataSource of your"
              + " transaction manager");
    }
  }

  /** Carries the work's SQLException through the template, which rolls back on it. */
  private static final class WorkFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient SQLException failure;

    WorkFailed(SQLException failure) {
      super(failure);
      this.failure = failure;
    }
  }
}
