package dev.outbox.jdbc.internal;

import dev.outbox.internal.ClaimedRow;
import dev.outbox.jdbc.Dialect;
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
  private final String candidatesFromFront;
  private final String candidatesResuming;
  private final String lockPrefix;

  H2Dialect(String job, String deadLetter) {
    super(job, deadLetter, "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)");
    this.candidatesFromFront = "SELECT j.id, j.run_at" + claimable(false);
    this.candidatesResuming = "SELECT j.id, j.run_at" + claimable(true);
    this.lockPrefix =
        "SELECT "
            + JOB_COLUMNS
            + ", run_at, event_id FROM "
            + job
            + " j WHERE "
            + dueAndUnleased("j")
            + " AND j.id IN (";
  }

  /** H2 folds unquoted identifiers to upper case. */
  @Override
  String folded(String identifier) {
    return identifier.toUpperCase(java.util.Locale.ROOT);
  }

  @Override
  public Dialect dialect() {
    return Dialect.H2;
  }

  @Override
  public boolean duplicateKeyIsError() {
    return true;
  }

  @Override
  Claim claim(
      Connection connection, int limit, long leaseMillis, long token, ClaimCursor.Start start)
      throws SQLException {
    Claim.Position after = start.from();
    List<Long> ids = new ArrayList<>();
    Claim.Position last = null;
    try (PreparedStatement select =
        connection.prepareStatement(after == null ? candidatesFromFront : candidatesResuming)) {
      bindClaimable(select, 1, after, limit);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getLong(1));
          last = Claim.Position.max(last, new Claim.Position(rows.getLong(2), rows.getLong(1)));
        }
      }
    }
    if (ids.isEmpty()) {
      return Claim.NONE;
    }
    List<ClaimedRow> claimed = lock(connection, ids, token);
    if (!claimed.isEmpty()) {
      leaseLocked(connection, claimed, leaseMillis, token);
    }
    // Candidates another claimer locked first are that claimer's: the scan still passed them.
    return new Claim(claimed, last, ids.size() < limit);
  }

  private List<ClaimedRow> lock(Connection connection, List<Long> ids, long token)
      throws SQLException {
    String sql = lockPrefix + marks(ids.size()) + ") ORDER BY id FOR UPDATE SKIP LOCKED";
    try (PreparedStatement lock = connection.prepareStatement(sql)) {
      bindIds(lock, 1, ids);
      try (ResultSet rows = lock.executeQuery()) {
        return readClaim(rows, token, 1, ids.size()).rows();
      }
    }
  }
}
