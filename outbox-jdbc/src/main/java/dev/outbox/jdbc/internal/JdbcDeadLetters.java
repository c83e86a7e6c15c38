package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterQuery;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.deadletter.DeadLetters;
import io.vavr.control.Option;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** The dead-letter table over JDBC. Thread-safe. Internal. */
public final class JdbcDeadLetters implements DeadLetters {
  private static final String COLUMNS =
      "id, kind, payload, ordering_key, idempotency_key, created_at, died_at, attempts, reason, error,"
          + " event_id";
  private static final int CHUNK = 500;

  /** The condition of {@link DeadLetterReason#UNKNOWN}: none of the names the library stores. */
  private static final String UNKNOWN =
      Arrays.stream(DeadLetterReason.values())
          .filter(reason -> reason != DeadLetterReason.UNKNOWN)
          .map(reason -> "'" + reason.name() + "'")
          .collect(Collectors.joining(", ", " AND reason NOT IN (", ")"));

  private final SqlDialect sql;
  private final Transactions transactions;

  public JdbcDeadLetters(SqlDialect sql, Transactions transactions) {
    this.sql = sql;
    this.transactions = transactions;
  }

  @Override
  public List<DeadLetter> list(DeadLetterQuery query) {
    String select =
        "SELECT "
            + COLUMNS
            + " FROM "
            + sql.deadLetterTable()
            + where(query)
            + " ORDER BY id LIMIT ?";
    return transactions.autoCommit(
        "listing " + sql.deadLetterTable(),
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(select)) {
            int next = bind(statement, query);
            statement.setInt(next, query.limit());
            return read(statement);
          }
        });
  }

  @Override
  public long count(DeadLetterQuery query) {
    String select = "SELECT COUNT(*) FROM " + sql.deadLetterTable() + where(query.after(0));
    return transactions.autoCommit(
        "counting " + sql.deadLetterTable(),
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(select)) {
            bind(statement, query.after(0));
            try (ResultSet rows = statement.executeQuery()) {
              rows.next();
              return rows.getLong(1);
            }
          }
        });
  }

  @Override
  public Option<DeadLetter> find(long id) {
    String select = "SELECT " + COLUMNS + " FROM " + sql.deadLetterTable() + " WHERE id = ?";
    return transactions.autoCommit(
        "reading " + sql.deadLetterTable(),
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(select)) {
            statement.setLong(1, id);
            List<DeadLetter> found = read(statement);
            return found.isEmpty() ? Option.none() : Option.some(found.get(0));
          }
        });
  }

  @Override
  public boolean requeue(long id) {
    return requeue(List.of(id)) == 1;
  }

  @Override
  public int requeue(Collection<Long> ids) {
    List<Long> all = List.copyOf(ids);
    if (all.isEmpty()) {
      return 0;
    }
    return transactions.inTransaction(
        "requeueing from " + sql.deadLetterTable(), connection -> requeue(connection, all));
  }

  @Override
  public int requeueAll(DeadLetterQuery query) {
    String select =
        "SELECT id FROM "
            + sql.deadLetterTable()
            + where(query.after(0))
            + " ORDER BY id FOR UPDATE";
    return transactions.inTransaction(
        "requeueing from " + sql.deadLetterTable(),
        connection -> {
          List<Long> ids = new ArrayList<>();
          try (PreparedStatement statement = connection.prepareStatement(select)) {
            bind(statement, query.after(0));
            try (ResultSet rows = statement.executeQuery()) {
              while (rows.next()) {
                ids.add(rows.getLong(1));
              }
            }
          }
          return ids.isEmpty() ? 0 : requeue(connection, ids);
        });
  }

  private int requeue(Connection connection, List<Long> ids) throws SQLException {
    int moved = 0;
    for (int from = 0; from < ids.size(); from += CHUNK) {
      List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
      String in = " WHERE id IN (" + SqlDialect.marks(chunk.size()) + ")";
      String insert =
          "INSERT INTO "
              + sql.jobTable()
              + " ("
              + SqlDialect.ROW_COLUMNS
              + ", run_at, attempts) SELECT "
              + SqlDialect.ROW_COLUMNS
              + ", "
              + sql.now()
              + ", 0 FROM "
              + sql.deadLetterTable()
              + in;
      try (PreparedStatement copy = connection.prepareStatement(insert)) {
        SqlDialect.bindIds(copy, 1, chunk);
        copy.executeUpdate();
      } catch (SQLException e) {
        if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
          throw new OutboxException(
              "requeue refused: a pending job already has the id or idempotency key of one"
                  + " of the dead letters "
                  + chunk
                  + "; nothing was requeued. Let that job finish, or delete"
                  + " the dead letter instead. ("
                  + e.getMessage()
                  + ")",
              e);
        }
        throw e;
      }
      try (PreparedStatement delete =
          connection.prepareStatement("DELETE FROM " + sql.deadLetterTable() + in)) {
        SqlDialect.bindIds(delete, 1, chunk);
        moved += delete.executeUpdate();
      }
    }
    return moved;
  }

  @Override
  public boolean delete(long id) {
    String delete = "DELETE FROM " + sql.deadLetterTable() + " WHERE id = ?";
    return transactions.autoCommit(
        "deleting from " + sql.deadLetterTable(),
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(delete)) {
            statement.setLong(1, id);
            return statement.executeUpdate() == 1;
          }
        });
  }

  private static String where(DeadLetterQuery query) {
    StringBuilder where = new StringBuilder(" WHERE id > ?");
    query.kind().forEach(kind -> where.append(" AND kind = ?"));
    query
        .reason()
        .forEach(
            reason ->
                where.append(reason == DeadLetterReason.UNKNOWN ? UNKNOWN : " AND reason = ?"));
    return where.toString();
  }

  private static int bind(PreparedStatement statement, DeadLetterQuery query) throws SQLException {
    int next = 1;
    statement.setLong(next++, query.afterId());
    if (query.kind().isDefined()) {
      statement.setString(next++, query.kind().get());
    }
    if (query.reason().isDefined() && query.reason().get() != DeadLetterReason.UNKNOWN) {
      statement.setString(next++, query.reason().get().name());
    }
    return next;
  }

  private static List<DeadLetter> read(PreparedStatement statement) throws SQLException {
    List<DeadLetter> letters = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        letters.add(
            new DeadLetter(
                rows.getLong(1),
                rows.getString(11),
                rows.getString(2),
                rows.getString(3),
                Option.of(rows.getString(4)),
                Option.of(rows.getString(5)),
                Instant.ofEpochMilli(rows.getLong(6)),
                Instant.ofEpochMilli(rows.getLong(7)),
                rows.getInt(8),
                DeadLetterReason.ofStored(rows.getString(9)),
                rows.getString(10)));
      }
    }
    return letters;
  }
}
