package dev.outbox.jdbc.internal;

import dev.outbox.internal.ClaimedRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * H2: a {@code SELECT … FOR UPDATE} there locks every row its condition matches before the {@code
 * LIMIT} applies, so a claim at depth would lock the whole backlog. Instead the claim finds its
 * candidates without locks, locks just those that are still due and not locked by anyone else
 * ({@code SKIP LOCKED}: a row another drainer leased or is handling meanwhile is left alone), then
 * leases them with one {@code UPDATE}, in the caller's short transaction.
 */
final class H2Dialect extends SqlDialect {
  private final String candidates;
  private final String lockPrefix;

  H2Dialect(String job, String deadLetter) {
    super(job, deadLetter, "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)");
    this.candidates = "SELECT j.id" + claimable();
    this.lockPrefix =
        "SELECT " + JOB_COLUMNS + " FROM " + job + " WHERE run_at <= " + now + " AND id IN (";
  }

  @Override
  public boolean duplicateKeyIsError() {
    return true;
  }

  @Override
  public List<ClaimedRow> claim(Connection connection, int limit, long leaseMillis, long token)
      throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement(candidates)) {
      select.setInt(1, limit);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getLong(1));
        }
      }
    }
    if (ids.isEmpty()) {
      return List.of();
    }
    List<ClaimedRow> claimed = lock(connection, ids, token);
    if (claimed.isEmpty()) {
      return claimed;
    }
    leaseLocked(connection, claimed, leaseMillis, token);
    return claimed;
  }

  private List<ClaimedRow> lock(Connection connection, List<Long> ids, long token)
      throws SQLException {
    String sql = lockPrefix + marks(ids.size()) + ") ORDER BY id FOR UPDATE SKIP LOCKED";
    try (PreparedStatement lock = connection.prepareStatement(sql)) {
      bindIds(lock, 1, ids);
      try (ResultSet rows = lock.executeQuery()) {
        return readClaimed(rows, token, 1);
      }
    }
  }
}
