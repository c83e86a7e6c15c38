package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A configured {@link TransactionRunner} opens and ends every transactional handler's transaction,
 * and only those; a transaction it fails to commit leaves the job to run again.
 */
class TransactionRunnerTest extends OutboxTestBase {
  private final AtomicInteger transactions = new AtomicInteger();
  private final ThreadLocal<Boolean> insideRunner = ThreadLocal.withInitial(() -> false);
  private volatile boolean refuseCommit;

  @Override
  protected TestDatabase database() {
    return TestDatabase.H2;
  }

  /** Opens its own transaction, as a framework's transaction manager would. */
  private final TransactionRunner runner =
      new TransactionRunner() {
        @Override
        public <T> T inTransaction(DataSource dataSource, Work<T> work) throws SQLException {
          transactions.incrementAndGet();
          try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            insideRunner.set(true);
            try {
              T result = work.run(connection);
              if (refuseCommit) {
                throw new SQLException("commit refused", "08006");
              }
              connection.commit();
              return result;
            } catch (SQLException | RuntimeException | Error e) {
              connection.rollback();
              throw e;
            } finally {
              insideRunner.set(false);
              connection.setAutoCommit(true);
            }
          }
        }
      };

  private DrainReport drainWithRunner() {
    JdbcOutbox<TestJob> withRunner = outboxOn(dataSource).transactionRunner(runner).build();
    AtomicBoolean ranInside = new AtomicBoolean();
    DrainReport report =
        withRunner
            .drainer()
            .handler(job -> Outcome.done())
            .transactional(
                TestJob.Effect.class,
                (job, tx) -> {
                  ranInside.set(insideRunner.get());
                  try (PreparedStatement insert =
                      tx.prepareStatement("INSERT INTO " + effectTable + " (id) VALUES (?)")) {
                    insert.setLong(1, job.id());
                    insert.executeUpdate();
                  }
                  return Outcome.done();
                })
            .build()
            .drainOnce();
    assertTrue(ranInside.get(), "the handler ran inside the runner's transaction");
    return report;
  }

  @Test
  void theRunnerOpensTheTransactionalHandlersTransactionAndNoOther() throws Exception {
    enqueueCommitted(new TestJob.Effect(1), new TestJob.Greet("ordinary"));
    DrainReport report = drainWithRunner();
    assertEquals(2, report.succeeded());
    assertEquals(1, transactions.get());
    assertEquals(1, count(effectTable));
    assertEquals(0, count(jobTable));
  }

  @Test
  void aTransactionTheRunnerFailsToCommitLeavesTheJobToRunAgain() throws Exception {
    long id = enqueueCommitted(new TestJob.Effect(1)).get(0);
    refuseCommit = true;
    DrainReport report = drainWithRunner();
    assertEquals(1, report.retried());
    assertEquals(0, count(effectTable));
    assertEquals(1, attempts(id));
  }
}
