package dev.outbox.bench;

/**
 * Dead tuples and size of a PostgreSQL table, exactly (pgstattuple, when the extension can be
 * created) or from the statistics collector (which may lag by a few seconds).
 */
final class TableStats {
  private final Database db;
  private final boolean exact;

  TableStats(Database db) {
    this.db = db;
    this.exact = tryCreateExtension(db);
  }

  private static boolean tryCreateExtension(Database db) {
    try {
      db.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple");
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  double deadTuples(String table) {
    if (exact) {
      return db.queryLong("SELECT dead_tuple_count FROM pgstattuple('" + table + "')");
    }
    return db.queryLong(
        "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = '" + table + "'");
  }

  double megabytes(String table) {
    return db.queryLong("SELECT pg_total_relation_size('" + table + "')") / 1048576.0;
  }
}
