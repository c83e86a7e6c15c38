package dev.outbox.jdbc.internal;

import dev.outbox.QueueStats;
import dev.outbox.deadletter.DeadLetterReason;
import io.vavr.control.Option;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/** Reads {@link QueueStats}: two statements on one auto-commit connection. Internal. */
public final class Stats {
  /** The most rows any job-table count reads. */
  public static final long DEFAULT_CAP = 100_000;

  private Stats() {}

  /** The tables' statistics now, each job-table count stopping at {@code cap}. */
  public static QueueStats read(Transactions transactions, SqlDialect sql, long cap) {
    return transactions.autoCommit(
        "reading statistics of " + sql.jobTable() + " and " + sql.deadLetterTable(),
        connection -> read(connection, sql, cap));
  }

  private static QueueStats read(Connection connection, SqlDialect sql, long cap)
      throws SQLException {
    Map<DeadLetterReason, Long> byReason = new EnumMap<>(DeadLetterReason.class);
    try (Statement statement = connection.createStatement()) {
      try (ResultSet rows = statement.executeQuery(sql.deadLettersByReason())) {
        while (rows.next()) {
          byReason.merge(DeadLetterReason.ofStored(rows.getString(1)), rows.getLong(2), Long::sum);
        }
      }
      try (ResultSet row = statement.executeQuery(sql.stats(cap))) {
        row.next();
        long now = row.getLong(1);
        long oldest = row.getLong(5);
        Option<Duration> age =
            row.wasNull()
                ? Option.none()
                : Option.some(Duration.ofMillis(Math.max(0, now - oldest)));
        return new QueueStats(
            row.getLong(2),
            row.getLong(3),
            row.getLong(4),
            age,
            byReason,
            cap,
            Instant.ofEpochMilli(now));
      }
    }
  }
}
