package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.internal.OutboxStore;
import dev.outbox.jdbc.internal.JdbcStore;
import dev.outbox.jdbc.internal.SqlDialect;
import dev.outbox.jdbc.internal.Transactions;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What only PostgreSQL does: LISTEN/NOTIFY wake-ups and the autovacuum check. */
class PostgresOnlyTest extends OutboxTestBase {
  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRESQL;
  }

  @Test
  void aStartedDrainerIsWokenByTheCommitOfAnEnqueueWithoutPollingOrWake() throws Exception {
    CountDownLatch handled = new CountDownLatch(1);
    try (Drainer<TestJob> drainer =
        drainer()
            .pollInterval(Duration.ofHours(1))
            .handler(
                job -> {
                  handled.countDown();
                  return Outcome.done();
                })
            .build()) {
      drainer.start();
      Thread.sleep(500); // the first poll has run and found nothing; the next one is an hour away
      enqueueCommitted(new TestJob.Greet("pushed"));
      assertTrue(handled.await(30, TimeUnit.SECONDS), "the commit's NOTIFY woke the drainer");
    }
  }

  @Test
  void theDrainerWarnsWhenAutovacuumWillNotReachTheJobTable() throws Exception {
    String setting;
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT current_setting('autovacuum')")) {
      row.next();
      setting = row.getString(1);
    }
    OutboxStore store =
        new JdbcStore(
            SqlDialect.of(Dialect.POSTGRESQL, jobTable, deadLetterTable),
            new Transactions(dataSource));
    List<String> warnings = store.startupWarnings();
    if ("off".equals(setting)) {
      assertEquals(1, warnings.size());
      assertContains(
          warnings.get(0),
          "autovacuum will not reach the job table " + jobTable,
          "ALTER SYSTEM SET autovacuum = on");
    }
    execute("ALTER TABLE " + jobTable + " SET (autovacuum_enabled = false)");
    assertContains(String.join("", store.startupWarnings()), "autovacuum will not reach");
  }
}
