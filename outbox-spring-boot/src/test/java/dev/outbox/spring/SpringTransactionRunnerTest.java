package dev.outbox.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Outcome;
import dev.outbox.drain.TransactionalHandler;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.spring.testapp.SignupJob;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link SpringTransactionRunner} without a context: what it makes of Spring code that marks the
 * transaction rollback-only, and of a transaction manager over another data source.
 */
class SpringTransactionRunnerTest {
  private HikariDataSource dataSource;
  private JdbcTemplate jdbc;

  @BeforeEach
  void tables() {
    dataSource = TestDatabase.H2.open(4);
    jdbc = new JdbcTemplate(dataSource);
    jdbc.execute("CREATE TABLE effect (email VARCHAR(200))");
  }

  @AfterEach
  void close() {
    dataSource.close();
  }

  private DrainReport drainOneAudit(
      PlatformTransactionManager transactionManager,
      TransactionalHandler<SignupJob.Audit> handler) {
    JdbcOutbox<SignupJob> outbox =
        JdbcOutbox.builder(dataSource, SignupJob.class)
            .transactionRunner(SpringTransactionRunner.of(transactionManager))
            .build();
    outbox.createSchemaIfMissing();
    new TransactionTemplate(new DataSourceTransactionManager(dataSource))
        .executeWithoutResult(
            tx ->
                SpringOutbox.of(outbox, dataSource)
                    .enqueue(new SignupJob.Audit("a@example.com", false)));
    return outbox
        .drainer()
        .lease(Duration.ofMinutes(1))
        .handler(job -> Outcome.done())
        .transactional(SignupJob.Audit.class, handler)
        .build()
        .drainOnce();
  }

  @Test
  void aHandlerWhoseSpringCodeMarksTheTransactionRollbackOnlyLeavesNoWritesAndRunsAgain() {
    var transactionManager = new DataSourceTransactionManager(dataSource);
    DrainReport report =
        drainOneAudit(
            transactionManager,
            (job, tx) -> {
              // A participating @Transactional method that rolls back marks the whole transaction.
              new TransactionTemplate(transactionManager)
                  .executeWithoutResult(
                      inner -> {
                        jdbc.update("INSERT INTO effect (email) VALUES (?)", job.payload().email());
                        inner.setRollbackOnly();
                      });
              return Outcome.done();
            });
    assertEquals(1, report.retried(), report.toString());
    assertEquals(0, jdbc.queryForObject("SELECT COUNT(*) FROM effect", Integer.class));
    assertEquals(1, jdbc.queryForObject("SELECT COUNT(*) FROM outbox_job", Integer.class));
  }

  @Test
  void aTransactionManagerOverAnotherDataSourceIsRefusedAndTheJobRunsAgain() {
    try (HikariDataSource other = TestDatabase.H2.open(2)) {
      DrainReport report =
          drainOneAudit(
              new DataSourceTransactionManager(other),
              (job, tx) -> {
                jdbc.update("INSERT INTO effect (email) VALUES (?)", job.payload().email());
                return Outcome.done();
              });
      assertEquals(1, report.retried(), report.toString());
    }
    assertEquals(0, jdbc.queryForObject("SELECT COUNT(*) FROM effect", Integer.class));
    String error = jdbc.queryForObject("SELECT last_error FROM outbox_job", String.class);
    assertTrue(error.contains("does not manage the outbox's DataSource"), error);
  }
}
