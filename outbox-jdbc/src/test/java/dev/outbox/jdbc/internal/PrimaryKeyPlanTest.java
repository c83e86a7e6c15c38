package dev.outbox.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.jdbc.OutboxTestBase;
import dev.outbox.jdbc.TestJob;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every statement the drainer runs on rows it holds (lease, completion, release, retry, dead
 * letter, delete, lock) finds them by the primary key, even in a shallow table where a scan looks
 * cheaper: a scan would lock, or wait for, rows that are none of its own (see {@code
 * OpenTransactionContract}).
 */
class PrimaryKeyPlanTest {
  abstract static class Contract extends OutboxTestBase {
    @Test
    void statementsOnHeldRowsUseThePrimaryKeyInAShallowTable() throws Exception {
      List<Long> ids =
          enqueueCommitted(
              new TestJob.Greet("a"),
              new TestJob.Greet("b"),
              new TestJob.Greet("c"),
              new TestJob.Greet("d"),
              new TestJob.Greet("e"));
      execute("UPDATE " + jobTable + " SET lease_token = 7 WHERE id <= " + ids.get(2));
      analyze();
      SqlDialect sql = SqlDialect.of(outbox.dialect(), jobTable, deadLetterTable);
      Object a = ids.get(0);
      Object b = ids.get(1);
      Object c = ids.get(2);
      Map<String, List<Object>> statements =
          Map.of(
              sql.leaseSql(3), List.of(60_000L, 7L, a, b, c),
              sql.completeSql(3), List.of(7L, a, b, c),
              sql.releaseSql(3), List.of(7L, a, b, c),
              sql.retry(), List.of(1000L, 0, "error", a, 7L),
              sql.bury(), List.of("UNPARSEABLE", "error", a, 7L),
              sql.deleteLeased(), List.of(a, 7L),
              sql.lockLeased(), List.of(a, 7L));
      List<String> scans = new ArrayList<>();
      for (var statement : statements.entrySet()) {
        String plan = plan(statement.getKey(), statement.getValue());
        if (!byPrimaryKey(plan)) {
          scans.add(statement.getKey() + "\n    planned as: " + plan);
        }
      }
      assertTrue(scans.isEmpty(), "not by the primary key:\n" + String.join("\n", scans));
    }

    /** The plan's rows on the job table, one line each. */
    abstract String plan(Connection connection, String sql, List<Object> params)
        throws SQLException;

    abstract boolean byPrimaryKey(String plan);

    void analyze() throws SQLException {}

    private String plan(String sql, List<Object> params) throws SQLException {
      try (Connection connection = dataSource.getConnection()) {
        return plan(connection, sql, params);
      }
    }

    static PreparedStatement explain(Connection connection, String sql, List<Object> params)
        throws SQLException {
      PreparedStatement explain = connection.prepareStatement("EXPLAIN " + sql);
      for (int i = 0; i < params.size(); i++) {
        explain.setObject(i + 1, params.get(i));
      }
      return explain;
    }
  }

  @Nested
  class OnMariaDb extends Contract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }

    @Override
    void analyze() throws SQLException {
      execute("ANALYZE TABLE " + jobTable);
    }

    @Override
    String plan(Connection connection, String sql, List<Object> params) throws SQLException {
      List<String> rows = new ArrayList<>();
      try (PreparedStatement explain = explain(connection, sql, params);
          ResultSet plan = explain.executeQuery()) {
        while (plan.next()) {
          String table = plan.getString("table");
          if (table != null && (table.equals(jobTable) || table.equals("j"))) {
            rows.add("type=" + plan.getString("type") + " key=" + plan.getString("key"));
          }
        }
      }
      return String.join("; ", rows);
    }

    @Override
    boolean byPrimaryKey(String plan) {
      return !plan.isEmpty()
          && plan.lines().allMatch(l -> l.matches("(type=(const|range|eq_ref) key=PRIMARY;? ?)+"));
    }
  }

  @Nested
  class OnH2 extends Contract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.H2;
    }

    @Override
    String plan(Connection connection, String sql, List<Object> params) throws SQLException {
      try (PreparedStatement explain = explain(connection, sql, params);
          ResultSet plan = explain.executeQuery()) {
        plan.next();
        return plan.getString(1).replace('\n', ' ');
      }
    }

    @Override
    boolean byPrimaryKey(String plan) {
      return plan.contains("PRIMARY_KEY") && !plan.contains("tableScan");
    }
  }
}
