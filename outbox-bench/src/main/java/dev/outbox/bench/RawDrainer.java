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
 */
final class RawDrainer implements DrainContestant {
  private static final String NOW = "(date_part('epoch', statement_timestamp()) * 1000)::BIGINT";
  private static final long LEASE_MILLIS = 120_000;

  private final Database db;
  private final JobTable table;
  private final String claim;
  private final String delete;

  RawDrainer(Database db, JobTable table) {
    this.db = db;
    this.table = table;
    String job = JobTable.NAME;
    this.claim =
        "UPDATE "
            + job
            + " SET run_at = "
            + NOW
            + " + ?, lease_until = "
            + NOW
            + " + ?, lease_token = ? WHERE id IN (SELECT id FROM "
            + job
            + " WHERE run_at <= "
            + NOW
            + " ORDER BY run_at, id LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING id, kind, payload";
    this.delete = "DELETE FROM " + job + " WHERE id = ANY(?) AND lease_token = ?";
  }

  @Override
  public String name() {
    return "raw";
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
      statement.setLong(1, LEASE_MILLIS);
      statement.setLong(2, LEASE_MILLIS);
      statement.setLong(3, token);
      statement.setInt(4, batchSize);
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
