package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.job.EnqueueResult;
import dev.outbox.job.JobCodec;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Writes jobs on the caller's connection, in the caller's transaction, and on PostgreSQL notifies
 * listening drainers in the same transaction (throttled; see {@link NewJobNotifier}). Never
 * commits, rolls back, closes or changes the connection's mode. Every check runs before any SQL.
 * Internal.
 */
public final class Enqueuer<J> {
  private static final String[] ID = {"id"};

  private final JobCodec<J> codec;
  private final SqlDialect sql;
  private final int maxPayloadBytes;
  private final NewJobNotifier notifier;

  public Enqueuer(JobCodec<J> codec, SqlDialect sql, int maxPayloadBytes) {
    this.codec = codec;
    this.sql = sql;
    this.maxPayloadBytes = maxPayloadBytes;
    this.notifier = new NewJobNotifier(sql.notifyNewJobs());
  }

  /** Enqueues one job; see {@code JdbcOutbox#enqueue}. */
  public EnqueueResult enqueue(Connection connection, J job, EnqueueOptions options) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(options, "options");
    JobCodec.Encoded encoded = encode(job);
    requireTransaction(connection, encoded.kind());
    EnqueueResult result = insert(connection, encoded, options);
    if (result.stored()) {
      notifier.jobsInserted(connection, encoded.kind(), sql.jobTable());
    }
    return result;
  }

  private EnqueueResult insert(
      Connection connection, JobCodec.Encoded encoded, EnqueueOptions options) {
    String insert = sql.insert(options.runAt().isDefined(), options.idempotencyKey().isDefined());
    try (PreparedStatement statement = connection.prepareStatement(insert, ID)) {
      bind(statement, encoded, options);
      if (statement.executeUpdate() == 0) {
        return new EnqueueResult.Deduplicated(options.idempotencyKey().get());
      }
      try (ResultSet keys = statement.getGeneratedKeys()) {
        keys.next();
        return new EnqueueResult.Stored(keys.getLong(1));
      }
    } catch (SQLException e) {
      if (isDuplicateKey(e, options)) {
        return new EnqueueResult.Deduplicated(options.idempotencyKey().get());
      }
      throw refused(encoded.kind(), e);
    }
  }

  /** Enqueues many jobs with one JDBC batch; see {@code JdbcOutbox#enqueueAll}. */
  public int enqueueAll(
      Connection connection, Collection<? extends J> jobs, EnqueueOptions options) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(jobs, "jobs");
    if (options.idempotencyKey().isDefined()) {
      throw new IllegalArgumentException(
          "an idempotency key names one job; enqueue jobs with idempotency keys one by one");
    }
    List<JobCodec.Encoded> encoded = new ArrayList<>(jobs.size());
    jobs.forEach(job -> encoded.add(encode(job)));
    if (encoded.isEmpty()) {
      return 0;
    }
    requireTransaction(connection, encoded.get(0).kind());
    try (PreparedStatement statement =
        connection.prepareStatement(sql.insert(options.runAt().isDefined(), false))) {
      for (JobCodec.Encoded one : encoded) {
        bind(statement, one, options);
        statement.addBatch();
      }
      int stored = 0;
      for (int count : statement.executeBatch()) {
        stored += count == PreparedStatement.SUCCESS_NO_INFO ? 1 : count;
      }
      if (stored > 0) {
        notifier.jobsInserted(connection, encoded.get(0).kind(), sql.jobTable());
      }
      return stored;
    } catch (SQLException e) {
      throw refused(encoded.get(0).kind(), e);
    }
  }

  private JobCodec.Encoded encode(J job) {
    JobCodec.Encoded encoded = codec.encode(job);
    int bytes = encoded.payload().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxPayloadBytes) {
      throw new OutboxException.EnqueueRefused(
          encoded.kind(),
          "the payload of kind '"
              + encoded.kind()
              + "' is "
              + bytes
              + " bytes, over the limit of "
              + maxPayloadBytes
              + " (maxPayloadBytes);"
              + " store large data in your own table and enqueue its id. Nothing was written.",
          null);
    }
    return encoded;
  }

  private static void requireTransaction(Connection connection, String kind) {
    boolean autoCommit;
    try {
      autoCommit = connection.getAutoCommit();
    } catch (SQLException e) {
      throw new OutboxException.EnqueueRefused(
          kind, "could not read the connection's auto-commit mode: " + e.getMessage(), e);
    }
    if (autoCommit) {
      throw new OutboxException.EnqueueRefused(
          kind,
          "the connection is in auto-commit mode, so the job of kind '"
              + kind
              + "' would commit on its own instead of with your data. Enqueue inside your transaction:"
              + " call connection.setAutoCommit(false) before your writes and commit() after. Nothing was written.",
          null);
    }
  }

  private void bind(PreparedStatement statement, JobCodec.Encoded encoded, EnqueueOptions options)
      throws SQLException {
    statement.setString(1, encoded.kind());
    statement.setString(2, encoded.payload());
    statement.setString(3, options.orderingKey().getOrNull());
    statement.setString(4, options.idempotencyKey().getOrNull());
    statement.setLong(
        5,
        options.runAt().isDefined()
            ? options.runAt().get().toEpochMilli()
            : options.delay().toMillis());
  }

  private boolean isDuplicateKey(SQLException e, EnqueueOptions options) {
    String state = e.getSQLState();
    return sql.duplicateKeyIsError()
        && options.idempotencyKey().isDefined()
        && state != null
        && state.startsWith("23");
  }

  private OutboxException refused(String kind, SQLException e) {
    return new OutboxException.EnqueueRefused(
        kind,
        "inserting a job of kind '"
            + kind
            + "' into "
            + sql.jobTable()
            + " failed: "
            + e.getMessage()
            + " (SQLState "
            + e.getSQLState()
            + "). Does the table"
            + " exist? Create it with outbox.createSchemaIfMissing() or the DDL in "
            + "dev/outbox/jdbc/schema/.",
        e);
  }
}
