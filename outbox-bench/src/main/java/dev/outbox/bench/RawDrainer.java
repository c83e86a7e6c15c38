package dev.outbox.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * The reference: a hand-written JDBC drainer for PostgreSQL, the ceiling the library is measured
 * against. Each thread loops: one auto-commit {@code UPDATE … RETURNING} claims up to a batch of
 * due rows picked with {@code FOR UPDATE SKIP LOCKED} and sets their lease and a token, a no-op per
 * row, one {@code DELETE … WHERE id = ANY(?) AND lease_token = ?}. No parsing, no attempts, no
 * outcomes: what the library adds on top is what the ratio measures.
 *
 * <p>Two ways to lease. {@link #movingRunAt} (the reference, {@code raw}): the lease moves the
 * row's {@code run_at} to the lease's end, so a leased row is no longer due; every claim then
 * writes new entries into the {@code (run_at, id)} index. {@link #leasingInPlace} ({@code raw,
 * lease in place}): the lease is written only to {@code lease_until} and the token, outside the
 * indexes, the claim skips rows whose lease has not run out, and it finds the rows it locked by
 * their address ({@code ctid}), as the library's claim does; it still scans from the front every
 * time, with no watermark. The reference joins on {@code id}, as the issue wrote it, and so pays
 * the planner's walk over the primary key's dead front on every claim (point 20 of BENCHMARKS.md at
 * afa04e9).
 */
final class RawDrainer implements DrainContestant {
  private static final String NOW = "(date_part('epoch', statement_timestamp()) * 1000)::BIGINT";
  private static final long LEASE_MILLIS = 120_000;

  private final Database db;
  private final JobTable table;
  private final String name;
  private final boolean movesRunAt;
  private final String claim;
  private final String delete;

  private RawDrainer(Database db, JobTable table, boolean movesRunAt) {
    this.db = db;
    this.table = table;
    this.name = movesRunAt ? "raw" : "raw, lease in place";
    this.movesRunAt = movesRunAt;
    String job = JobTable.NAME;
    String lease =
        movesRunAt
            ? "run_at = " + NOW + " + ?, lease_until = " + NOW + " + ?"
            : "lease_until = " + NOW + " + ?";
    String due =
        movesRunAt
            ? "run_at <= " + NOW
            : "run_at <= " + NOW + " AND (lease_until IS NULL OR lease_until <= " + NOW + ")";
    String pick = job + " WHERE " + due + " ORDER BY run_at, id LIMIT ? FOR UPDATE SKIP LOCKED)";
    String update = "UPDATE " + job + " t SET " + lease + ", lease_token = ?";
    this.claim =
        movesRunAt
            ? update
                + " WHERE t.id IN (SELECT id FROM "
                + pick
                + " RETURNING t.id, t.kind, t.payload"
            : update
                + " FROM (SELECT ctid AS row_address FROM "
                + pick
                + " c WHERE t.ctid = c.row_address RETURNING t.id, t.kind, t.payload";
    this.delete = "DELETE FROM " + job + " WHERE id = ANY(?) AND lease_token = ?";
  }

  /** The reference the targets are stated against: the lease moves {@code run_at}. */
  static RawDrainer movingRunAt(Database db, JobTable table) {
    return new RawDrainer(db, table, true);
  }

  /** The lease outside the indexes, as the library leases, without a watermark. */
  static RawDrainer leasingInPlace(Database db, JobTable table) {
    return new RawDrainer(db, table, false);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void prefill(int jobs, DrainSetup setup) throws SQLException {
    table.prefill(jobs, setup.orderingKeys());
  }

  @Override
  public AutoCloseable start(DrainSetup setup, Tally tally) {
    Loops loops = new Loops("raw");
    long base = table.baseId();
    DataSource dataSource = db.dataSource();
    for (int i = 0; i < setup.threads(); i++) {
      loops.start(() -> drainBatch(dataSource, setup.batchSize(), tally, base));
    }
    return loops;
  }

  /** Claims, "handles" and deletes one batch; false when nothing was due. */
  private boolean drainBatch(DataSource dataSource, int batchSize, Tally tally, long base)
      throws SQLException {
    long token = ThreadLocalRandom.current().nextLong();
    try (Connection connection = dataSource.getConnection()) {
      List<Long> ids = claim(connection, batchSize, token);
      if (ids.isEmpty()) {
        return false;
      }
      for (long id : ids) {
        tally.handled(id - base);
      }
      try (PreparedStatement statement = connection.prepareStatement(delete)) {
        statement.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
        statement.setLong(2, token);
        statement.executeUpdate();
      }
      return true;
    }
  }

  private List<Long> claim(Connection connection, int batchSize, long token) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(claim)) {
      int next = 1;
      if (movesRunAt) {
        statement.setLong(next++, LEASE_MILLIS);
      }
      statement.setLong(next++, LEASE_MILLIS);
      statement.setLong(next++, token);
      statement.setInt(next, batchSize);
      List<Long> ids = new ArrayList<>(batchSize);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getLong(1));
          rows.getString(2);
          rows.getString(3);
        }
      }
      return ids;
    }
  }

  @Override
  public long leftOver() {
    return table.rows();
  }
}
