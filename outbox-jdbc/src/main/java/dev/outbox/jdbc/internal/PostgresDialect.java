package dev.outbox.jdbc.internal;

import dev.outbox.internal.ClaimedRow;
import dev.outbox.jdbc.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;

/** PostgreSQL: the claim is one {@code UPDATE … RETURNING} over a SKIP LOCKED sub-select. */
final class PostgresDialect extends SqlDialect {
  private final String claimFromFront;
  private final String claimResuming;
  private final String claimFromFrontWaitingForFlush;
  private final String complete;
  private final String notify;

  // Field initializers run after super(): job and now are set.
  private final String insertArraysAfterDelay = insertArrays(now + " + ?::BIGINT");
  private final String insertArraysAt = insertArrays("?::BIGINT");

  PostgresDialect(String job, String deadLetter) {
    // date_part, not EXTRACT: since PostgreSQL 14 EXTRACT computes in numeric, a few µs a row.
    super(job, deadLetter, "(date_part('epoch', statement_timestamp()) * 1000)::BIGINT");
    this.claimFromFront = claim(false, true);
    this.claimResuming = claim(true, true);
    this.claimFromFrontWaitingForFlush = claim(false, false);
    this.complete = "DELETE FROM " + job + " WHERE lease_token = ? AND id = ANY(?)";
    this.notify = "NOTIFY " + PostgresListener.channel(job);
  }

  /**
   * One {@code UPDATE … FROM} a SKIP LOCKED sub-select, returning each row's run_at (the claim's
   * position, see {@link ClaimCursor}). It sets only columns outside the indexes (see {@link
   * #dueAndUnleased}), so the new row version can be heap-only where the page has room.
   *
   * <p>The update finds the locked rows by their physical address ({@code ctid}, a TID scan), not
   * by id. With the values bound, PostgreSQL plans each claim afresh, and a join on {@code id}
   * makes it weigh a merge join, whose estimate reads the lowest id actually in the primary key: it
   * walks every entry at the key's front, and those are the jobs completed since the last vacuum.
   * With 500,000 of them, planning one claim read 1,842 buffers (4.1 ms) instead of 93; a 1M
   * backlog drained at 27,800–30,100 jobs/s joined on id and at 48,900–50,500 joined on ctid. A row
   * updated between the sub-select's snapshot and its lock has a new address: the update then skips
   * it, unleased, and a later claim takes it.
   *
   * <p>The claim commits without waiting for the disk: {@code set_config('synchronous_commit',
   * 'off', true)}, evaluated once (an init plan) inside the statement, applies to the claim's own
   * implicit transaction only (the claim always runs on an auto-commit connection, see {@code
   * JdbcStore#claimOnce}), and the connection goes back to the pool with the session's setting.
   * Otherwise each job's way from commit to handler holds one disk flush, and a slow flush stalls
   * every job behind it. What a crash of the server can cost: claims of its last moments (at most
   * three times {@code wal_writer_delay}), whose jobs become claimable again at once with their
   * attempt uncounted and run again, perhaps beside a run still going (as after an expired lease:
   * fencing refuses the stale run's outcome), which at-least-once allows. It cannot lose a job or
   * undo a completion: a completion, retry, dead-lettering or enqueue commits as the server is set,
   * and its flush writes the log up to it, this claim included.
   *
   * <p>Except while claims take jobs with ordering keys: then each claim starts from the front, and
   * a key's next job becomes claimable only when the completion of the batch before commits. A
   * claim that does not wait for its flush comes back sooner, and the next one runs ahead of that
   * completion and walks past heads that are still there: an ordered drain with 4 drainers and
   * 1,000 keys fell from 37,000–39,500 to 31,000–35,000 jobs/s (point 24 of BENCHMARKS.md at
   * afa04e9). Those claims keep waiting for their flush; ordered jobs are the ones that pay it on
   * their way to the handler.
   */
  private String claim(boolean resume, boolean asynchronousCommit) {
    return "UPDATE "
        + job
        + " t SET lease_until = "
        + now
        + " + ?, lease_token = ?, "
        + COUNT_ATTEMPT
        + " FROM (SELECT j.ctid AS row_address"
        + claimable(resume)
        + " FOR UPDATE SKIP LOCKED) c WHERE t.ctid = c.row_address"
        + (asynchronousCommit
            ? " AND (SELECT set_config('synchronous_commit', 'off', true)) = 'off'"
            : "")
        + " RETURNING t.id, t.kind,"
        + " t.payload, t.ordering_key, t.idempotency_key, t.created_at, t.attempts, t.run_at,"
        + " t.event_id";
  }

  /** The claim statement for a claim that starts where {@code start} says. */
  String claimStatement(ClaimCursor.Start start) {
    if (start.from() != null) {
      return claimResuming;
    }
    return start.ordered() ? claimFromFrontWaitingForFlush : claimFromFront;
  }

  /** Binds {@link #claimStatement}'s parameters. */
  void bindClaim(
      PreparedStatement statement, int limit, long leaseMillis, long token, Claim.Position after)
      throws SQLException {
    statement.setLong(1, leaseMillis);
    statement.setLong(2, token);
    bindClaimable(statement, 3, after, limit);
  }

  /** A row comparison: the {@code (run_at, id)} index serves it as one range. */
  @Override
  public Dialect dialect() {
    return Dialect.POSTGRESQL;
  }

  @Override
  String resumeAfter() {
    return " AND (j.run_at, j.id) > (?, ?)";
  }

  @Override
  int bindResume(PreparedStatement statement, int first, Claim.Position after) throws SQLException {
    statement.setLong(first, after.runAt());
    statement.setLong(first + 1, after.id());
    return first + 2;
  }

  @Override
  String onIdempotencyConflict() {
    // The predicate lets PostgreSQL infer the partial unique index of the current DDL, and equally
    // the full one of tables created before it.
    return " ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING";
  }

  @Override
  public String notifyNewJobs() {
    return notify;
  }

  /**
   * {@code pg_notify} in the insert's {@code RETURNING}: evaluated once per inserted row, so a
   * duplicate key (nothing inserted) notifies nobody. The channel is the one {@code LISTEN
   * "<table>"} listens on: the validated name, cut to the 63 bytes PostgreSQL keeps of an
   * identifier (pg_notify refuses a longer one).
   */
  @Override
  public String notifying(String insert) {
    return insert + " RETURNING id, pg_notify('" + PostgresListener.channelName(job) + "', '')";
  }

  @Override
  public AutoCloseable subscribe(DataSource dataSource, String name, Runnable onNewJobs) {
    return new PostgresListener(dataSource, job, name, onNewJobs);
  }

  @Override
  public List<String> warnings(Connection connection) throws SQLException {
    String sql =
        "SELECT current_setting('autovacuum'), current_setting('track_counts'),"
            + " (SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = to_regclass(?))";
    try (PreparedStatement settings = connection.prepareStatement(sql)) {
      settings.setString(1, job);
      try (ResultSet row = settings.executeQuery()) {
        row.next();
        boolean serverOff = "off".equals(row.getString(1)) || "off".equals(row.getString(2));
        String options = row.getString(3);
        boolean tableOff = options != null && options.contains("autovacuum_enabled=false");
        return serverOff || tableOff ? List.of(autovacuumWarning(serverOff)) : List.of();
      }
    }
  }

  private String autovacuumWarning(boolean serverOff) {
    String where =
        serverOff ? "on this server (autovacuum or track_counts is off)" : "for the table " + job;
    return "autovacuum will not reach the job table "
        + job
        + " "
        + where
        + ". Every job leaves dead rows"
        + " behind (claim, completion); without vacuum they pile up and the claim query wades through"
        + " them, slowing down many times at depth. Fix: ALTER SYSTEM SET autovacuum = on; SELECT"
        + " pg_reload_conf(); (the table's own autovacuum settings then apply), or run VACUUM "
        + job
        + " regularly.";
  }

  /**
   * {@code unnest … WITH ORDINALITY} keeps the arrays' order and {@code ORDER BY} it makes the
   * identity hand out ids in that order, which ordering keys rely on. One statement instead of a
   * batch of single-row inserts: pgjdbc sends a batch statement by statement unless {@code
   * reWriteBatchedInserts} is on.
   */
  private String insertArrays(String runAt) {
    return "INSERT INTO "
        + job
        + " (kind, payload, ordering_key, idempotency_key, created_at, run_at, attempts, event_id)"
        + " SELECT r.kind, r.payload, ?::VARCHAR, NULL, "
        + now
        + ", "
        + runAt
        + ", 0, r.event_id FROM unnest(?::VARCHAR[], ?::TEXT[], ?::VARCHAR[])"
        + " WITH ORDINALITY AS r(kind, payload, event_id, n)"
        + " ORDER BY r.n";
  }

  @Override
  public String insertArrays(boolean explicitRunAt) {
    return explicitRunAt ? insertArraysAt : insertArraysAfterDelay;
  }

  @Override
  public boolean claimIsOneStatement() {
    return true;
  }

  @Override
  public boolean duplicateKeyIsError() {
    return false;
  }

  @Override
  Claim claim(
      Connection connection, int limit, long leaseMillis, long token, ClaimCursor.Start start)
      throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(claimStatement(start))) {
      bindClaim(update, limit, leaseMillis, token, start.from());
      try (ResultSet rows = update.executeQuery()) {
        Claim claim = readClaim(rows, token, 0, limit);
        claim.rows().sort(Comparator.comparingLong(ClaimedRow::id));
        return claim;
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
