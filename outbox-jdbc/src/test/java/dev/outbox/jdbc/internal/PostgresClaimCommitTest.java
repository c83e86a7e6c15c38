package dev.outbox.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.OutboxTestBase;
import dev.outbox.jdbc.TestJob;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL claim commits without waiting for the disk (so that a slow flush does not stall the
 * way from a job's commit to its handler), and that setting stays inside the claim's own
 * transaction: the connection goes back to the application's pool as it came.
 */
class PostgresClaimCommitTest extends OutboxTestBase {
  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRESQL;
  }

  @Test
  void aClaimTurnsSynchronousCommitOffForItsOwnTransaction() throws Exception {
    assertEquals(
        "off",
        synchronousCommitInsideAClaim(false),
        "synchronous_commit inside the claim's transaction, where its commit reads it");
  }

  @Test
  void aClaimWhileJobsWithOrderingKeysAreClaimedStillWaitsForTheDisk() throws Exception {
    // Its flush paces the claims, so that each finds the keys' next jobs (see PostgresDialect).
    assertEquals("on", synchronousCommitInsideAClaim(true), "synchronous_commit inside the claim");
  }

  @Test
  void aDrainerHandsItsConnectionBackToThePoolWithTheSessionsSynchronousCommit() throws Exception {
    // A pool does not reset sessions: a plain SET would leave every later transaction of the
    // application on this connection committing without waiting for the disk.
    try (HikariDataSource pool = database().open(1)) {
      enqueueCommitted(new TestJob.Greet("ada"), new TestJob.Greet("grace"));
      var drained =
          outboxOn(pool).build().drainer().handler(job -> Outcome.done()).build().drainOnce();
      assertEquals(2, drained.succeeded(), "jobs handled");
      try (Connection theOnlyOne = pool.getConnection()) {
        assertEquals(
            "on",
            synchronousCommit(theOnlyOne),
            "synchronous_commit of the pool's one connection after it claimed and completed jobs");
      }
    }
  }

  /**
   * Claims one job in an explicit transaction, reads the setting its commit would read, rolls back,
   * and checks that the session's setting is back.
   */
  private String synchronousCommitInsideAClaim(boolean ordered) throws Exception {
    enqueueCommitted(new TestJob.Greet("ada"));
    PostgresDialect sql = new PostgresDialect(jobTable, deadLetterTable);
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      String inside;
      try {
        Claim claim =
            sql.claim(
                connection,
                10,
                60_000,
                7,
                ordered ? ClaimCursor.Start.FRONT_ORDERED : ClaimCursor.Start.FRONT);
        assertEquals(1, claim.rows().size(), "jobs claimed");
        inside = synchronousCommit(connection);
      } finally {
        connection.rollback();
        connection.setAutoCommit(true);
      }
      assertEquals(
          "on", synchronousCommit(connection), "synchronous_commit after that transaction");
      return inside;
    }
  }

  private static String synchronousCommit(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SHOW synchronous_commit")) {
      row.next();
      return row.getString(1);
    }
  }
}
