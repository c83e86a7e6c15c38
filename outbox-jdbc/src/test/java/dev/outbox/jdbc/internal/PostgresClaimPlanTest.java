package dev.outbox.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.jdbc.OutboxTestBase;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * What PostgreSQL's planner reads to plan a claim. The claim's values are bound, so every claim is
 * planned afresh; that planning must not walk the primary key's front, where the entries of the
 * jobs completed since the last vacuum lie dead (point 20 of BENCHMARKS.md at afa04e9).
 */
class PostgresClaimPlanTest extends OutboxTestBase {
  private static final int JOBS = 200_000;
  private static final int COMPLETED = 190_000;

  /**
   * Planning a claim reads about a hundred buffers (catalogs, index metapages); with the walk over
   * 190,000 dead primary-key entries (the claim joined back on id) it read 533.
   */
  private static final long PLANNING_BUFFERS_BOUND = 300;

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRESQL;
  }

  @Test
  void planningAClaimDoesNotWalkTheEntriesOfCompletedJobsAtTheFrontOfThePrimaryKey()
      throws Exception {
    execute("ALTER TABLE " + jobTable + " SET (autovacuum_enabled = false)");
    execute(
        "INSERT INTO "
            + jobTable
            + " (kind, payload, created_at, run_at, attempts) SELECT 'Greet',"
            + " '{\"name\":\"job\"}', 0, 1000, 0 FROM generate_series(1, "
            + JOBS
            + ")");
    execute("ANALYZE " + jobTable);
    // Completed jobs, deleted and not yet vacuumed, as a busy drain leaves them.
    execute("DELETE FROM " + jobTable + " WHERE id <= " + COMPLETED);
    PostgresDialect sql = new PostgresDialect(jobTable, deadLetterTable);
    try (Connection connection = dataSource.getConnection()) {
      markDeadEntriesAsSuch(connection);
      long planning = 0;
      for (int i = 0; i < 2; i++) { // the second: the catalogs are cached by then
        planning = planningBuffers(connection, sql);
      }
      assertTrue(
          planning < PLANNING_BUFFERS_BOUND,
          "planning one claim read "
              + planning
              + " buffers: the planner walked the "
              + COMPLETED
              + " dead entries at the front of an index");
    }
  }

  /**
   * An index scan over the deleted rows marks their entries dead, as the claims and completions of
   * a drain do; later scans step over them without visiting the rows.
   */
  private void markDeadEntriesAsSuch(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET enable_seqscan = off");
      statement.execute("SET enable_bitmapscan = off");
      for (String order : new String[] {"id", "run_at, id"}) {
        statement.executeQuery("SELECT id FROM " + jobTable + " ORDER BY " + order).close();
      }
      statement.execute("RESET enable_seqscan");
      statement.execute("RESET enable_bitmapscan");
    }
  }

  /** The shared buffers planning the claim read, resuming after the last completed job. */
  private long planningBuffers(Connection connection, PostgresDialect sql) throws Exception {
    Claim.Position after = new Claim.Position(1000, COMPLETED);
    try (PreparedStatement explain =
        connection.prepareStatement(
            "EXPLAIN (BUFFERS, FORMAT JSON) "
                + sql.claimStatement(new ClaimCursor.Start(after, false)))) {
      sql.bindClaim(explain, 100, 60_000, 7, after);
      try (ResultSet plan = explain.executeQuery()) {
        plan.next();
        JsonNode planning = new ObjectMapper().readTree(plan.getString(1)).get(0).get("Planning");
        return planning.get("Shared Hit Blocks").asLong()
            + planning.get("Shared Read Blocks").asLong();
      }
    }
  }
}
