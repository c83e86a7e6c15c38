package dev.outbox.jdbc.internal;

import dev.outbox.internal.ClaimedRow;
import dev.outbox.jdbc.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The SQL of one dialect for one pair of tables. Statements are built once; table names were
 * validated before they got here. Internal.
 */
public abstract class SqlDialect {
  static final String JOB_COLUMNS =
      "id, kind, payload, ordering_key, idempotency_key, created_at, attempts";
  static final String ROW_COLUMNS =
      "id, event_id, kind, payload, ordering_key, idempotency_key, created_at";

  /**
   * A claim's "one more attempt", which stops at the column's maximum: a row edited to it would
   * otherwise fail every claim that reaches it (out of range), and so stop the queue. Such a row is
   * over any max attempts and goes to the dead letters.
   */
  static final String COUNT_ATTEMPT =
      "attempts = CASE WHEN attempts < 2147483647 THEN attempts + 1 ELSE attempts END";

  final String job;
  final String deadLetter;
  final String now;
  private final String insertAfterDelay;
  private final String insertAt;
  private final String insertKeyedAfterDelay;
  private final String insertKeyedAt;
  private final String insertDefaults;

  SqlDialect(String job, String deadLetter, String now) {
    this.job = job;
    this.deadLetter = deadLetter;
    this.now = now;
    String insert =
        "INSERT INTO "
            + job
            + " (kind, payload, ordering_key, idempotency_key, created_at, run_at, attempts, event_id)"
            + " VALUES (?, ?, ?, ?, "
            + now
            + ", ";
    this.insertAfterDelay = insert + now + " + ?, 0, ?)";
    this.insertAt = insert + "?, 0, ?)";
    this.insertKeyedAfterDelay = insertAfterDelay + onIdempotencyConflict();
    this.insertKeyedAt = insertAt + onIdempotencyConflict();
    this.insertDefaults =
        "INSERT INTO "
            + job
            + " (kind, payload, ordering_key, idempotency_key, created_at, run_at, attempts, event_id)"
            + " VALUES (?, ?, NULL, NULL, "
            + now
            + ", "
            + now
            + ", 0, ?)";
  }

  /** Builds the SQL of a dialect for the given (validated) table names. */
  public static SqlDialect of(Dialect dialect, String job, String deadLetter) {
    return switch (dialect) {
      case POSTGRESQL -> new PostgresDialect(job, deadLetter);
      case MARIADB ->
          new SelectThenUpdateDialect(
              job,
              deadLetter,
              "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)",
              true);
      case H2 -> new H2Dialect(job, deadLetter);
    };
  }

  /** The database this SQL is for. */
  public abstract Dialect dialect();

  /**
   * The columns of a table from {@code information_schema}; parameters: the schema (null for the
   * connection's current one), the table, both as {@link #folded} by the database.
   */
  String columnsOfTable() {
    return "SELECT column_name FROM information_schema.columns"
        + " WHERE table_schema = COALESCE(?, CURRENT_SCHEMA) AND table_name = ?";
  }

  /** An unquoted identifier as the database stores it: PostgreSQL folds to lower case. */
  String folded(String identifier) {
    return identifier.toLowerCase(java.util.Locale.ROOT);
  }

  /** The job table's name. */
  public String jobTable() {
    return job;
  }

  /** The dead-letter table's name. */
  public String deadLetterTable() {
    return deadLetter;
  }

  /** The database clock in epoch milliseconds, as an SQL expression. */
  public String now() {
    return now;
  }

  /**
   * The insert of one job, its run_at given as a delay (5th parameter) or an instant, its event id
   * the 6th. Only a job with an idempotency key gets the dialect's "store nothing on a duplicate
   * key" clause: without a key nothing can clash, and PostgreSQL's {@code ON CONFLICT} (a
   * speculative insertion) costs on every row regardless.
   */
  public String insert(boolean explicitRunAt, boolean idempotencyKey) {
    if (idempotencyKey) {
      return explicitRunAt ? insertKeyedAt : insertKeyedAfterDelay;
    }
    return explicitRunAt ? insertAt : insertAfterDelay;
  }

  /**
   * The insert of one job with default options (due now, no keys): three parameters, the kind, the
   * payload and the event id; the keys are literal NULLs and run_at is the database clock, with no
   * parameters for them to bind, as a hand-written insert would have it. The most common enqueue.
   */
  public String insertDefaults() {
    return insertDefaults;
  }

  /**
   * One statement that inserts many jobs without idempotency keys from two arrays, or {@code null}
   * where the dialect has none (then a JDBC batch of {@link #insert(boolean, boolean)} does it).
   * Parameters: ordering key, delay or run-at (as in {@link #insert(boolean, boolean)}), the kinds,
   * the payloads, the event ids; the rows get their ids in the arrays' order.
   */
  public String insertArrays(boolean explicitRunAt) {
    return null;
  }

  /** What follows the insert so that a duplicate idempotency key stores nothing; "" if none. */
  String onIdempotencyConflict() {
    return "";
  }

  /**
   * The statement that tells listening drainers new jobs were inserted, sent in the enqueuing
   * transaction so that it takes effect at commit (see {@link NewJobNotifier}); null where the
   * database cannot push.
   */
  public String notifyNewJobs() {
    return null;
  }

  /**
   * The given single-job insert ({@link #insert(boolean, boolean)} or {@link #insertDefaults()}),
   * made to also notify listening drainers and return the new id as its result set, so that the
   * notification costs no round trip of its own; nothing is returned, and nobody notified, for a
   * duplicate idempotency key. Null where the database cannot push.
   */
  public String notifying(String insert) {
    return null;
  }

  /** Starts pushing new-job signals where the database can (see OutboxStore#subscribe). */
  public AutoCloseable subscribe(DataSource dataSource, String name, Runnable onNewJobs) {
    return () -> {};
  }

  /** What an operator should know about the tables on this database; empty if all is well. */
  public List<String> warnings(Connection connection) throws SQLException {
    return List.of();
  }

  /**
   * Whether the claim is one statement, atomic on its own, so that it runs in auto-commit: no
   * BEGIN/COMMIT round trips around it.
   */
  public boolean claimIsOneStatement() {
    return false;
  }

  /** Whether the claim's transaction should run at READ COMMITTED. */
  public boolean claimWantsReadCommitted() {
    return false;
  }

  /** Whether a duplicate idempotency key surfaces as an error (then only that statement fails). */
  public abstract boolean duplicateKeyIsError();

  /**
   * Claims up to {@code limit} due jobs, heads of their ordering keys only, in {@code (run_at, id)}
   * order from where {@code start} says (see {@link ClaimCursor}), on a connection with auto-commit
   * off (the caller commits), or in auto-commit where {@link #claimIsOneStatement()}.
   */
  abstract Claim claim(
      Connection connection, int limit, long leaseMillis, long token, ClaimCursor.Start start)
      throws SQLException;

  /**
   * Where due, unleased jobs are found, after a position when {@code resume} (parameters: see
   * {@link #bindClaimable}); alias {@code j}. A job with an ordering key only when no row of its
   * key has a lower id (it is the head) and no row of its key holds a live lease: a lower id that
   * committed after a later job of its key was claimed, or a dead head requeued under its old id,
   * waits for that job. Two claims whose snapshots miss each other's lease can still both take a
   * job of one key; {@link KeyCollisions} settles that after they commit.
   */
  String claimable(boolean resume) {
    return " FROM "
        + job
        + " j WHERE "
        + dueAndUnleased("j")
        + (resume ? resumeAfter() : "")
        + " AND (j.ordering_key IS NULL OR (NOT EXISTS (SELECT 1 FROM "
        + job
        + " h WHERE h.ordering_key = j.ordering_key AND h.id < j.id) AND NOT EXISTS (SELECT 1 FROM "
        + job
        + " r WHERE r.ordering_key = j.ordering_key AND r.lease_until > "
        + now
        + ")))"
        + " ORDER BY j.run_at, j.id LIMIT ?";
  }

  /**
   * Which of {@code keys} have a row with a live lease under another token than {@code token}; one
   * statement of its own, so it sees every claim committed before it started.
   */
  public Set<String> keysLeasedByOthers(Connection connection, long token, List<String> keys)
      throws SQLException {
    String sql =
        "SELECT DISTINCT ordering_key FROM "
            + job
            + " WHERE ordering_key IN ("
            + marks(keys.size())
            + ") AND lease_until > "
            + now
            + " AND lease_token <> ?";
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      for (int i = 0; i < keys.size(); i++) {
        select.setString(i + 1, keys.get(i));
      }
      select.setLong(keys.size() + 1, token);
      Set<String> leased = new HashSet<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          leased.add(rows.getString(1));
        }
      }
      return leased;
    }
  }

  /**
   * The condition "due, and not leased or its lease ran out" on the table aliased {@code alias}:
   * what makes a row claimable, ordering keys aside. A claim leases a row in columns no index holds
   * (lease_until, lease_token, attempts), not by moving its run_at: PostgreSQL can then write the
   * new row version as a heap-only tuple, with no new index entries, and InnoDB updates the row in
   * place without touching a secondary index. A leased row keeps its place in the {@code (run_at,
   * id)} index; the claim steps over it, and finds it there again once its lease has run out.
   */
  String dueAndUnleased(String alias) {
    return alias
        + ".run_at <= "
        + now
        + " AND ("
        + alias
        + ".lease_until IS NULL OR "
        + alias
        + ".lease_until <= "
        + now
        + ")";
  }

  /**
   * The condition "after a position", in a form the {@code (run_at, id)} index serves as a range;
   * its parameters are bound by {@link #bindResume}.
   */
  String resumeAfter() {
    return " AND (j.run_at > ? OR (j.run_at = ? AND j.id > ?))";
  }

  /** Binds {@link #resumeAfter}'s parameters from {@code first}; returns the next index. */
  int bindResume(PreparedStatement statement, int first, Claim.Position after) throws SQLException {
    statement.setLong(first, after.runAt());
    statement.setLong(first + 1, after.runAt());
    statement.setLong(first + 2, after.id());
    return first + 3;
  }

  /** Binds {@link #claimable}'s parameters from {@code first}; returns the next index. */
  int bindClaimable(PreparedStatement statement, int first, Claim.Position after, int limit)
      throws SQLException {
    int index = after == null ? first : bindResume(statement, first, after);
    statement.setInt(index, limit);
    return index + 1;
  }

  /**
   * Leases rows this transaction has already locked (the second step of a select-then-update
   * claim): lease until now + {@code leaseMillis}, the claim's token, one more attempt.
   */
  void leaseLocked(Connection connection, List<ClaimedRow> locked, long leaseMillis, long token)
      throws SQLException {
    try (PreparedStatement lease = connection.prepareStatement(leaseSql(locked.size()))) {
      lease.setLong(1, leaseMillis);
      lease.setLong(2, token);
      bindIds(lease, 3, locked.stream().map(ClaimedRow::id).toList());
      lease.executeUpdate();
    }
  }

  /**
   * The job table's statistics in one statement, each count reading at most {@code cap} index
   * entries: the clock, due and unleased, scheduled, leased among the first {@code cap} due rows in
   * claim order, and the run-at of the oldest due and unleased row (NULL if none).
   */
  public String stats(long cap) {
    String limit = " LIMIT " + cap;
    return "SELECT "
        + now
        + ", (SELECT COUNT(*) FROM (SELECT 1 AS one FROM "
        + job
        + " j WHERE "
        + dueAndUnleased("j")
        + limit
        + ") d), (SELECT COUNT(*) FROM (SELECT 1 AS one FROM "
        + job
        + " j WHERE j.run_at > "
        + now
        + limit
        + ") s), (SELECT COALESCE(SUM(CASE WHEN f.lease_until > "
        + now
        + " THEN 1 ELSE 0 END), 0) FROM (SELECT j.lease_until FROM "
        + job
        + " j WHERE j.run_at <= "
        + now
        + " ORDER BY j.run_at, j.id"
        + limit
        + ") f), (SELECT j.run_at FROM "
        + job
        + " j WHERE "
        + dueAndUnleased("j")
        + " ORDER BY j.run_at, j.id LIMIT 1)";
  }

  /** Dead letters counted by stored reason. */
  public String deadLettersByReason() {
    return "SELECT reason, COUNT(*) FROM " + deadLetter + " GROUP BY reason";
  }

  /** Deletes completed jobs by id and token. */
  public int complete(Connection connection, long token, List<Long> ids) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement(completeSql(ids.size()))) {
      delete.setLong(1, token);
      bindIds(delete, 2, ids);
      return delete.executeUpdate();
    }
  }

  /**
   * Gives jobs back without counting the attempt. They were due when claimed and keep their run_at,
   * so they are due again at once, in their old place in the queue.
   */
  public int release(Connection connection, long token, List<Long> ids) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(releaseSql(ids.size()))) {
      update.setLong(1, token);
      bindIds(update, 2, ids);
      return update.executeUpdate();
    }
  }

  /**
   * The statements that find their rows by a list of ids, readable whole. They must find them by
   * the primary key whatever the table's depth: a scan would lock (or wait for) rows that are none
   * of theirs, those of a producer's open transaction or of another drainer's transactional
   * handler. Parameters: lease millis, token, the ids (lease); token, the ids (the others).
   */
  String leaseSql(int ids) {
    return updateByIds()
        + " SET lease_until = "
        + now
        + " + ?, lease_token = ?, "
        + COUNT_ATTEMPT
        + " WHERE id IN ("
        + marks(ids)
        + ")";
  }

  String completeSql(int ids) {
    return deleteByIds() + " WHERE lease_token = ? AND id IN (" + marks(ids) + ")";
  }

  String releaseSql(int ids) {
    return updateByIds()
        + " SET lease_until = NULL, lease_token = NULL, attempts = attempts - 1"
        + " WHERE lease_token = ? AND id IN ("
        + marks(ids)
        + ")";
  }

  /** The start of an UPDATE of the job table that finds its rows by a list of ids. */
  String updateByIds() {
    return "UPDATE " + job;
  }

  /** The start of a DELETE from the job table that finds its rows by a list of ids. */
  String deleteByIds() {
    return "DELETE FROM " + job;
  }

  /** Reschedules one job; parameters: delay, attempt refund, error, id, token. */
  public String retry() {
    return "UPDATE "
        + job
        + " SET run_at = "
        + now
        + " + ?, lease_until = NULL, lease_token = NULL,"
        + " attempts = attempts - ?, last_error = ? WHERE id = ? AND lease_token = ?";
  }

  /** Copies a leased job into the dead letters; parameters: reason, error, id, token. */
  public String bury() {
    return "INSERT INTO "
        + deadLetter
        + " ("
        + ROW_COLUMNS
        + ", died_at, attempts, reason, error) SELECT "
        + ROW_COLUMNS
        + ", "
        + now
        + ", attempts, ?, ? FROM "
        + job
        + " WHERE id = ? AND lease_token = ?";
  }

  /** Deletes one job by id and token. */
  public String deleteLeased() {
    return "DELETE FROM " + job + " WHERE id = ? AND lease_token = ?";
  }

  /** Locks one job row if it still carries the token. */
  public String lockLeased() {
    return "SELECT id FROM " + job + " WHERE id = ? AND lease_token = ? FOR UPDATE";
  }

  /** Extends the leases of jobs still held by the token to now + {@code leaseMillis}. */
  public int renew(Connection connection, long token, List<Long> ids, long leaseMillis)
      throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(renewSql(ids.size()))) {
      update.setLong(1, leaseMillis);
      update.setLong(2, token);
      bindIds(update, 3, ids);
      return update.executeUpdate();
    }
  }

  /** The renewal of {@code ids} leases; parameters: lease millis, token, the ids. */
  String renewSql(int ids) {
    return updateByIds()
        + " SET lease_until = "
        + now
        + " + ? WHERE lease_token = ? AND id IN ("
        + marks(ids)
        + ")";
  }

  static String marks(int count) {
    return String.join(", ", Collections.nCopies(count, "?"));
  }

  static void bindIds(PreparedStatement statement, int first, List<Long> ids) throws SQLException {
    for (int i = 0; i < ids.size(); i++) {
      statement.setLong(first + i, ids.get(i));
    }
  }

  /**
   * Reads claimed rows ({@link #JOB_COLUMNS}, then the row's run_at and event_id) of a claim that
   * asked for {@code limit}.
   */
  static Claim readClaim(ResultSet rows, long token, int attemptOffset, int limit)
      throws SQLException {
    List<ClaimedRow> claimed = new ArrayList<>();
    Claim.Position last = null;
    while (rows.next()) {
      last = Claim.Position.max(last, new Claim.Position(rows.getLong(8), rows.getLong(1)));
      claimed.add(
          new ClaimedRow(
              rows.getLong(1),
              rows.getString(9),
              rows.getString(2),
              rows.getString(3),
              rows.getString(4),
              rows.getString(5),
              rows.getLong(6),
              rows.getLong(8),
              rows.getInt(7) == Integer.MAX_VALUE
                  ? Integer.MAX_VALUE
                  : rows.getInt(7) + attemptOffset,
              token));
    }
    return new Claim(claimed, last, claimed.size() < limit);
  }
}
