package dev.outbox.jdbc.internal;

import dev.outbox.internal.ClaimedRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;

/** PostgreSQL: the claim is one {@code UPDATE … RETURNING} over a SKIP LOCKED sub-select. */
final class PostgresDialect extends SqlDialect {
  private final String claim;
  private final String complete;

  PostgresDialect(String job, String deadLetter) {
    super(job, deadLetter, "(EXTRACT(EPOCH FROM statement_timestamp()) * 1000)::BIGINT");
    this.claim =
        "UPDATE "
            + job
            + " SET run_at = "
            + now
            + " + ?, lease_until = "
            + now
            + " + ?, lease_token = ?, attempts = attempts + 1 WHERE id IN (SELECT j.id"
            + claimable()
            + " FOR UPDATE SKIP LOCKED) RETURNING "
            + JOB_COLUMNS;
    this.complete = "DELETE FROM " + job + " WHERE lease_token = ? AND id = ANY(?)";
  }

  @Override
  String onIdempotencyConflict() {
    return " ON CONFLICT (idempotency_key) DO NOTHING";
  }

  @Override
  public boolean duplicateKeyIsError() {
    return false;
  }

  @Override
  public List<ClaimedRow> claim(Connection connection, int limit, long leaseMillis, long token)
      throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(claim)) {
      update.setLong(1, leaseMillis);
      update.setLong(2, leaseMillis);
      update.setLong(3, token);
      update.setInt(4, limit);
      try (ResultSet rows = update.executeQuery()) {
        List<ClaimedRow> claimed = readClaimed(rows, token, 0);
        claimed.sort(Comparator.comparingLong(ClaimedRow::id));
        return claimed;
      }
    }
  }

  @Override
  public int complete(Connection connection, long token, List<Long> ids) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement(complete)) {
      delete.setLong(1, token);
      delete.setArray(2, connection.createArrayOf("bigint", ids.toArray()));
      return delete.executeUpdate();
    }
  }
}
