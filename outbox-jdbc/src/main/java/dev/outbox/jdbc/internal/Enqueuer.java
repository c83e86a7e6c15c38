package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import dev.outbox.internal.EventIds;
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

  /**
   * Rows per array insert. Bounds the arrays held in memory on both ends; past a few hundred rows a
   * bigger chunk saves only a round trip per chunk.
   */
  static final int MAX_ROWS_PER_STATEMENT = 1_000;

  /** Payload characters per array insert: a thousand payloads near maxPayloadBytes are huge. */
  static final long MAX_CHARS_PER_STATEMENT = 4L * 1024 * 1024;

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
    Held held = hold(job, options);
    requireTransaction(connection, held.encoded().kind());
    boolean defaults = isDefaults(options);
    String insert = insertFor(options, defaults);
    // A turn exists only where the dialect notifies, and then it has a notifying insert.
    if (notifier.claimTurn()) {
      EnqueueResult result = insertNotifying(connection, sql.notifying(insert), held, defaults);
      if (!result.stored()) {
        notifier.giveBackTurn();
      }
      return result;
    }
    return insert(connection, insert, held, defaults);
  }

  /**
   * The single-row insert for these options ({@code defaults}: {@link #isDefaults}), whose
   * parameters {@link #bind} sets.
   */
  private String insertFor(EnqueueOptions options, boolean defaults) {
    return defaults
        ? sql.insertDefaults()
        : sql.insert(options.runAt().isDefined(), options.idempotencyKey().isDefined());
  }

  /** Options that {@link SqlDialect#insertDefaults()} writes: due now, no keys. */
  private static boolean isDefaults(EnqueueOptions options) {
    return options.delay().isZero()
        && options.runAt().isEmpty()
        && options.orderingKey().isEmpty()
        && options.idempotencyKey().isEmpty();
  }

  /** The insert that also notifies, in the same round trip; its result set holds the id. */
  private EnqueueResult insertNotifying(
      Connection connection, String insert, Held held, boolean defaults) {
    EnqueueOptions options = held.options();
    try (PreparedStatement statement = connection.prepareStatement(insert)) {
      bind(statement, held, defaults);
      try (ResultSet row = statement.executeQuery()) {
        return row.next()
            ? new EnqueueResult.Stored(row.getLong(1))
            : new EnqueueResult.Deduplicated(options.idempotencyKey().get());
      }
    } catch (SQLException e) {
      throw refused(held.encoded().kind(), e);
    }
  }

  private EnqueueResult insert(Connection connection, String insert, Held held, boolean defaults) {
    EnqueueOptions options = held.options();
    try (PreparedStatement statement = connection.prepareStatement(insert, ID)) {
      bind(statement, held, defaults);
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
      throw refused(held.encoded().kind(), e);
    }
  }

  /**
   * Enqueues many jobs; see {@code JdbcOutbox#enqueueAll}. Where the dialect can, one statement per
   * chunk inserts them from arrays; elsewhere one JDBC batch does.
   */
  public int enqueueAll(
      Connection connection, Collection<? extends J> jobs, EnqueueOptions options) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(jobs, "jobs");
    requireNoIdempotencyKey(options);
    return writeHeld(connection, holdAll(jobs, options));
  }

  /**
   * Refuses options for many jobs that carry an idempotency key.
   *
   * @throws IllegalArgumentException if they do
   */
  public static void requireNoIdempotencyKey(EnqueueOptions options) {
    if (options.idempotencyKey().isDefined()) {
      throw new IllegalArgumentException(
          "an idempotency key names one job; enqueue jobs with idempotency keys one by one");
    }
  }

  /**
   * A job encoded and checked now, to be written later by {@link #writeHeld}: for integrations that
   * write jobs at their own flush. Every check that {@link #enqueue} makes before SQL, except the
   * transaction's, is made here.
   *
   * @throws OutboxException.EnqueueRefused if the job is no leaf, cannot be serialized or is too
   *     big
   */
  public Held hold(J job, EnqueueOptions options) {
    Objects.requireNonNull(options, "options");
    return new Held(encode(job), options, EventIds.next());
  }

  /**
   * Every job {@link #hold held} with the same options, in the given order; the first refusal
   * throws, so that none is held.
   */
  public List<Held> holdAll(Collection<? extends J> jobs, EnqueueOptions options) {
    List<Held> held = new ArrayList<>(jobs.size());
    for (J job : jobs) {
      held.add(hold(job, options));
    }
    return held;
  }

  /** A job {@link #hold held}: its kind and payload, its options and its event id, made then. */
  public record Held(JobCodec.Encoded encoded, EnqueueOptions options, String eventId) {}

  /**
   * Writes held jobs in their order (ids ascending) in the caller's transaction; returns how many
   * were stored (a duplicate idempotency key stores nothing). A run of jobs with equal options and
   * no idempotency key goes in one statement per chunk where the dialect inserts from arrays;
   * otherwise each run of one statement shape goes in one JDBC batch, and a job with an idempotency
   * key alone where the database reports a duplicate as an error.
   *
   * @throws OutboxException.EnqueueRefused if the connection is in auto-commit mode (before any
   *     SQL) or an insert fails
   */
  public int writeHeld(Connection connection, List<Held> held) {
    Objects.requireNonNull(connection, "connection");
    if (held.isEmpty()) {
      return 0;
    }
    String kind = held.get(0).encoded().kind();
    requireTransaction(connection, kind);
    int stored = 0;
    try {
      int from = 0;
      while (from < held.size()) {
        EnqueueOptions options = held.get(from).options();
        boolean keyed = options.idempotencyKey().isDefined();
        String arrays = keyed ? null : sql.insertArrays(options.runAt().isDefined());
        int to = from + 1;
        if (keyed && sql.duplicateKeyIsError()) {
          boolean defaults = isDefaults(options);
          stored +=
              insert(connection, insertFor(options, defaults), held.get(from), defaults).stored()
                  ? 1
                  : 0;
        } else if (arrays != null) {
          while (to < held.size() && held.get(to).options().equals(options)) {
            to++;
          }
          stored += insertArrays(connection, arrays, held.subList(from, to), options);
        } else {
          while (to < held.size() && sameStatement(held.get(to).options(), options)) {
            to++;
          }
          stored += insertBatch(connection, held.subList(from, to));
        }
        from = to;
      }
    } catch (SQLException e) {
      throw refused(kind, e);
    }
    if (stored > 0) {
      notifier.jobsInserted(connection, kind, sql.jobTable());
    }
    return stored;
  }

  /** Whether {@link #insertFor} picks the same statement for both options. */
  private static boolean sameStatement(EnqueueOptions a, EnqueueOptions b) {
    boolean defaults = isDefaults(a);
    if (defaults != isDefaults(b)) {
      return false;
    }
    return defaults
        || (a.runAt().isDefined() == b.runAt().isDefined()
            && a.idempotencyKey().isDefined() == b.idempotencyKey().isDefined());
  }

  /** One JDBC batch of jobs whose options pick the same statement, each bound with its own. */
  private int insertBatch(Connection connection, List<Held> held) throws SQLException {
    EnqueueOptions shape = held.get(0).options();
    boolean defaults = isDefaults(shape);
    try (PreparedStatement statement = connection.prepareStatement(insertFor(shape, defaults))) {
      for (Held one : held) {
        bind(statement, one, defaults);
        statement.addBatch();
      }
      int stored = 0;
      for (int count : statement.executeBatch()) {
        stored += count == PreparedStatement.SUCCESS_NO_INFO ? 1 : count;
      }
      return stored;
    }
  }

  /**
   * One statement per chunk of at most {@link #MAX_ROWS_PER_STATEMENT} rows and {@link
   * #MAX_CHARS_PER_STATEMENT} payload characters (a single larger payload goes alone).
   */
  private int insertArrays(
      Connection connection, String insert, List<Held> held, EnqueueOptions options)
      throws SQLException {
    int stored = 0;
    try (PreparedStatement statement = connection.prepareStatement(insert)) {
      statement.setString(1, options.orderingKey().getOrNull());
      statement.setLong(2, runAtOrDelay(options));
      int from = 0;
      while (from < held.size()) {
        int to = chunkEnd(held, from);
        String[] kinds = new String[to - from];
        String[] payloads = new String[to - from];
        String[] eventIds = new String[to - from];
        for (int i = from; i < to; i++) {
          kinds[i - from] = held.get(i).encoded().kind();
          payloads[i - from] = held.get(i).encoded().payload();
          eventIds[i - from] = held.get(i).eventId();
        }
        statement.setArray(3, connection.createArrayOf("varchar", kinds));
        statement.setArray(4, connection.createArrayOf("text", payloads));
        statement.setArray(5, connection.createArrayOf("varchar", eventIds));
        stored += statement.executeUpdate();
        from = to;
      }
    }
    return stored;
  }

  /** Where the chunk starting at {@code from} ends: at least one row, then within both limits. */
  private static int chunkEnd(List<Held> held, int from) {
    int to = from;
    long chars = 0;
    while (to < held.size() && to - from < MAX_ROWS_PER_STATEMENT) {
      chars += held.get(to).encoded().payload().length();
      if (to > from && chars > MAX_CHARS_PER_STATEMENT) {
        break;
      }
      to++;
    }
    return to;
  }

  private JobCodec.Encoded encode(J job) {
    JobCodec.Encoded encoded = codec.encode(job);
    String payload = encoded.payload();
    // A UTF-16 char takes at most 3 UTF-8 bytes (a surrogate pair, 2 chars, takes 4): most
    // payloads are far enough under the limit to skip encoding them just to count.
    if ((long) payload.length() * 3 <= maxPayloadBytes) {
      return encoded;
    }
    int bytes = payload.getBytes(StandardCharsets.UTF_8).length;
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

  /** Binds the parameters of {@link #insertFor}'s statement for the same {@code defaults}. */
  private static void bind(PreparedStatement statement, Held held, boolean defaults)
      throws SQLException {
    statement.setString(1, held.encoded().kind());
    statement.setString(2, held.encoded().payload());
    if (defaults) {
      statement.setString(3, held.eventId());
      return;
    }
    EnqueueOptions options = held.options();
    statement.setString(3, options.orderingKey().getOrNull());
    statement.setString(4, options.idempotencyKey().getOrNull());
    statement.setLong(5, runAtOrDelay(options));
    statement.setString(6, held.eventId());
  }

  private static long runAtOrDelay(EnqueueOptions options) {
    return options.runAt().isDefined()
        ? options.runAt().get().toEpochMilli()
        : options.delay().toMillis();
  }

  private boolean isDuplicateKey(SQLException e, EnqueueOptions options) {
    String state = e.getSQLState();
    return sql.duplicateKeyIsError()
        && options.idempotencyKey().isDefined()
        && state != null
        && state.startsWith("23");
  }

  /**
   * The refusal of a failed insert: what failed, what the schema lacks where the error says so, and
   * what became of the caller's transaction.
   */
  private OutboxException refused(String kind, SQLException e) {
    boolean aborted = Schema.abortsTransaction(sql, e);
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
            + ")."
            + Schema.diagnosis(sql, e)
            + (aborted
                ? " The database has aborted your transaction: roll it back; a commit() would not"
                    + " commit your own writes."
                : " Only the insert failed; your transaction is still open."),
        e,
        aborted);
  }
}
