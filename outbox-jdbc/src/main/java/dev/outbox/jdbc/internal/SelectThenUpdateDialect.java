package dev.outbox.jdbc.internal;

import dev.outbox.internal.ClaimedRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * MariaDB/MySQL: no {@code UPDATE … RETURNING}, and an update may not sub-select the table it
 * updates. The claim is a {@code SELECT … FOR UPDATE SKIP LOCKED} then one {@code UPDATE} by id, in
 * the caller's short transaction.
 */
final class SelectThenUpdateDialect extends SqlDialect {
  private final String select;
  private final boolean readCommitted;

  SelectThenUpdateDialect(String job, String deadLetter, String now, boolean readCommitted) {
    super(job, deadLetter, now);
    this.readCommitted = readCommitted;
    this.select =
        "SELECT j.id, j.kind, j.payload, j.ordering_key, j.idempotency_key, j.created_at, j.attempts"
            + claimable()
            + " FOR UPDATE SKIP LOCKED";
  }

  @Override
  public boolean duplicateKeyIsError() {
    return true;
  }

  /** MariaDB takes gap locks under REPEATABLE READ; the claim wants READ COMMITTED. */
  @Override
  public boolean claimWantsReadCommitted() {
    return readCommitted;
  }

  @Override
  public List<ClaimedRow> claim(Connection connection, int limit, long leaseMillis, long token)
      throws SQLException {
    List<ClaimedRow> claimed;
    try (PreparedStatement select = connection.prepareStatement(this.select)) {
      select.setInt(1, limit);
      try (ResultSet rows = select.executeQuery()) {
        claimed = readClaimed(rows, token, 1);
      }
    }
    if (claimed.isEmpty()) {
      return claimed;
    }
    leaseLocked(connection, claimed, leaseMillis, token);
    return claimed;
  }
}
