package dev.outbox.jdbc.internal;

import dev.outbox.jdbc.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * MariaDB/MySQL: no {@code UPDATE … RETURNING}, and an update may not sub-select the table it
 * updates. The claim is a {@code SELECT … FOR UPDATE SKIP LOCKED} then one {@code UPDATE} by id, in
 * the caller's short transaction.
 */
final class SelectThenUpdateDialect extends SqlDialect {
  private final String selectFromFront;
  private final String selectResuming;
  private final boolean readCommitted;

  SelectThenUpdateDialect(String job, String deadLetter, String now, boolean readCommitted) {
    super(job, deadLetter, now);
    this.readCommitted = readCommitted;
    this.selectFromFront = select(false);
    this.selectResuming = select(true);
  }

  private String select(boolean resume) {
    return "SELECT j.id, j.kind, j.payload, j.ordering_key, j.idempotency_key, j.created_at,"
        + " j.attempts, j.run_at, j.event_id"
        + claimable(resume)
        + " FOR UPDATE SKIP LOCKED";
  }

  /** MariaDB: a schema is a database, and the current one is {@code DATABASE()}. */
  @Override
  String columnsOfTable() {
    return "SELECT column_name FROM information_schema.columns"
        + " WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?";
  }

  /** MariaDB keeps a table's name as written (on Linux, case-sensitive). */
  @Override
  String folded(String identifier) {
    return identifier;
  }

  @Override
  public Dialect dialect() {
    return Dialect.MARIADB;
  }

  @Override
  public boolean duplicateKeyIsError() {
    return true;
  }

  /**
   * On a shallow table InnoDB plans {@code id IN (…)} as a scan (measured: a full scan for the
   * DELETE, of the whole primary key for the UPDATE), which locks every row it reads and waits for
   * those of a producer's open transaction; {@code FORCE INDEX} keeps it to the ids' range. A
   * single-table DELETE takes no index hint, the multi-table form does.
   */
  @Override
  String updateByIds() {
    return "UPDATE " + job + " FORCE INDEX (PRIMARY)";
  }

  @Override
  String deleteByIds() {
    return "DELETE j FROM " + job + " j FORCE INDEX (PRIMARY)";
  }

  /** MariaDB takes gap locks under REPEATABLE READ; the claim wants READ COMMITTED. */
  @Override
  public boolean claimWantsReadCommitted() {
    return readCommitted;
  }

  @Override
  Claim claim(
      Connection connection, int limit, long leaseMillis, long token, ClaimCursor.Start start)
      throws SQLException {
    Claim.Position after = start.from();
    Claim claim;
    try (PreparedStatement select =
        connection.prepareStatement(after == null ? selectFromFront : selectResuming)) {
      bindClaimable(select, 1, after, limit);
      try (ResultSet rows = select.executeQuery()) {
        claim = readClaim(rows, token, 1, limit);
      }
    }
    if (!claim.rows().isEmpty()) {
      leaseLocked(connection, claim.rows(), leaseMillis, token);
    }
    return claim;
  }
}
