package dev.outbox.bench;

import dev.outbox.jdbc.JdbcOutbox;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The job table this library and the hand-written drainer both drain, created with the library's
 * own DDL (same columns, indexes and per-table autovacuum settings), and its prefill: jobs 0 to n -
 * 1 as kind {@code Noop} with payload {@code {"seq":i}}, due a minute ago, ids ascending with the
 * sequence number, so that {@code seq = id - baseId}.
 */
final class JobTable {
  static final String NAME = "bench_job";
  static final String DEAD_LETTERS = "bench_dead_letter";

  private final Database db;
  private final JdbcOutbox<BenchJob> outbox;
  private long baseId;

  JobTable(Database db) {
    this.db = db;
    this.outbox =
        JdbcOutbox.builder(db.dataSource(), BenchJob.class)
            .jobTable(NAME)
            .deadLetterTable(DEAD_LETTERS)
            .build();
  }

  JdbcOutbox<BenchJob> outbox() {
    return outbox;
  }

  /** The id of job 0 of the last prefill. */
  long baseId() {
    return baseId;
  }

  /** Drops and recreates both tables. */
  void recreate() {
    db.drop(NAME, DEAD_LETTERS);
    outbox.createSchemaIfMissing();
  }

  /** Empties the tables. */
  void truncate() {
    String restart = db.kind() == Database.Kind.MARIADB ? "" : " RESTART IDENTITY";
    db.execute("TRUNCATE TABLE " + NAME + restart, "TRUNCATE TABLE " + DEAD_LETTERS + restart);
  }

  /** Empties the table and enqueues {@code jobs} due Noop jobs, with {@code keys} ordering keys. */
  void prefill(int jobs, int keys) throws SQLException {
    prefill(jobs, keys, "Noop");
  }

  /** As {@link #prefill(int, int)}, of the given kind (its payload is {@code {"seq":i}} too). */
  void prefill(int jobs, int keys, String kind) throws SQLException {
    truncate();
    long dueAt = System.currentTimeMillis() - 60_000;
    if (db.kind() == Database.Kind.POSTGRESQL) {
      prefillWithSeries(jobs, keys, dueAt, kind);
    } else {
      prefillWithBatch(jobs, keys, dueAt, kind);
    }
    checkIds(jobs);
    db.vacuumAnalyze(NAME);
  }

  private void prefillWithSeries(int jobs, int keys, long dueAt, String kind) {
    String key = keys > 0 ? "'k' || (i % " + keys + ")" : "NULL";
    db.execute(
        "INSERT INTO "
            + NAME
            + " (kind, payload, ordering_key, created_at, run_at, attempts)"
            + " SELECT '"
            + kind
            + "', '{\"seq\":' || i || '}', "
            + key
            + ", "
            + dueAt
            + ", "
            + dueAt
            + ", 0 FROM generate_series(0, "
            + (jobs - 1)
            + ") AS i ORDER BY i");
  }

  private void prefillWithBatch(int jobs, int keys, long dueAt, String kind) throws SQLException {
    String insert =
        "INSERT INTO "
            + NAME
            + " (id, kind, payload, ordering_key, created_at, run_at, attempts)"
            + " VALUES (?, ?, ?, ?, ?, ?, 0)";
    try (Connection connection = db.uncounted().getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement statement = connection.prepareStatement(insert)) {
        for (int seq = 0; seq < jobs; seq++) {
          // Explicit ids: batched inserts may leave gaps in MariaDB's AUTO_INCREMENT.
          statement.setLong(1, seq + 1L);
          statement.setString(2, kind);
          statement.setString(3, "{\"seq\":" + seq + "}");
          statement.setString(4, keys > 0 ? "k" + (seq % keys) : null);
          statement.setLong(5, dueAt);
          statement.setLong(6, dueAt);
          statement.addBatch();
          if (seq % 5_000 == 4_999) {
            statement.executeBatch();
          }
        }
        statement.executeBatch();
      }
      connection.commit();
      connection.setAutoCommit(true);
    }
  }

  private void checkIds(int jobs) {
    baseId = db.queryLong("SELECT COALESCE(MIN(id), 0) FROM " + NAME);
    long maxId = db.queryLong("SELECT COALESCE(MAX(id), 0) FROM " + NAME);
    long count = db.rows(NAME);
    if (count != jobs || (jobs > 0 && maxId - baseId + 1 != jobs)) {
      throw new IllegalStateException(
          "prefill of " + NAME + " gave " + count + " rows, ids " + baseId + ".." + maxId);
    }
  }

  long rows() {
    return db.rows(NAME);
  }
}
