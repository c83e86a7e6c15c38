package dev.outbox.jdbc;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.OutboxException;
import dev.outbox.QueueStats;
import dev.outbox.deadletter.DeadLetters;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.jdbc.internal.Enqueuer;
import dev.outbox.jdbc.internal.Identifiers;
import dev.outbox.jdbc.internal.JdbcDeadLetters;
import dev.outbox.jdbc.internal.JdbcStore;
import dev.outbox.jdbc.internal.Schema;
import dev.outbox.jdbc.internal.SqlDialect;
import dev.outbox.jdbc.internal.Stats;
import dev.outbox.jdbc.internal.Transactions;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.job.EnqueueResult;
import dev.outbox.job.JobCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The transactional outbox over JDBC: enqueue jobs on your own connection inside your own
 * transaction, drain them with a {@link dev.outbox.drain.Drainer}, inspect and requeue dead
 * letters.
 *
 * <pre>{@code
 * JdbcOutbox<ShopJob> outbox = JdbcOutbox.builder(dataSource, ShopJob.class).build();
 * outbox.createSchemaIfMissing();
 * try (Connection tx = dataSource.getConnection()) {
 *   tx.setAutoCommit(false);
 *   insertOrder(tx, order);
 *   outbox.enqueue(tx, new ChargeCard(order.id()));
 *   tx.commit();
 * }
 * }</pre>
 *
 * <p>Thread-safe and immutable. The data source is used by drainers and dead-letter operations;
 * enqueue only ever uses the connection it is given.
 *
 * @param <J> the sealed job root
 */
public final class JdbcOutbox<J> {
  private final JobCodec<J> codec;
  private final Dialect dialect;
  private final SqlDialect sql;
  private final Transactions transactions;
  private final Enqueuer<J> enqueuer;
  private final JdbcStore store;
  private final JdbcDeadLetters deadLetters;

  private JdbcOutbox(Builder<J> builder, Dialect dialect, JobCodec<J> codec) {
    this.codec = codec;
    this.dialect = dialect;
    this.sql = SqlDialect.of(dialect, builder.jobTable, builder.deadLetterTable);
    this.transactions = new Transactions(builder.dataSource);
    this.enqueuer = new Enqueuer<>(codec, sql, builder.maxPayloadBytes);
    this.store =
        new JdbcStore(
            sql,
            new Transactions(
                builder.dataSource, builder.statementTimeout, builder.transactionRunner));
    this.deadLetters = new JdbcDeadLetters(sql, transactions);
  }

  /** Starts configuring an outbox for the sealed job root {@code root}. */
  public static <J> Builder<J> builder(DataSource dataSource, Class<J> root) {
    return new Builder<>(
        Objects.requireNonNull(dataSource, "dataSource"), Objects.requireNonNull(root, "root"));
  }

  /**
   * Enqueues a job in the caller's transaction: the row is written on {@code connection} and
   * commits or rolls back with it. The connection is never committed, rolled back, closed or
   * switched to another mode. On PostgreSQL it also sends {@code NOTIFY} on the same connection,
   * delivered when your transaction commits, so that listening drainers wake at once; at most one
   * per 5 ms per outbox instance, because PostgreSQL commits notifying transactions one at a time
   * (woken drainers look again shortly after, which covers the transactions in between).
   *
   * @return {@link EnqueueResult.Stored} with the new id
   * @throws OutboxException.EnqueueRefused if the connection is in auto-commit mode, the payload
   *     cannot be serialized or is too large (all checked before any SQL), or the insert fails
   */
  public EnqueueResult enqueue(Connection connection, J job) {
    return enqueuer.enqueue(connection, job, EnqueueOptions.defaults());
  }

  /**
   * Enqueues a job with options (delay or run-at, ordering key, idempotency key). With an
   * idempotency key that a job in the table already has, nothing is stored and {@link
   * EnqueueResult.Deduplicated} is returned; the caller's transaction stays usable.
   */
  public EnqueueResult enqueue(Connection connection, J job, EnqueueOptions options) {
    return enqueuer.enqueue(connection, job, options);
  }

  /**
   * Enqueues many jobs in the caller's transaction, their ids ascending in the given order; returns
   * how many. On PostgreSQL one statement per 1,000 jobs inserts them from arrays; elsewhere one
   * JDBC batch does.
   */
  public int enqueueAll(Connection connection, Collection<? extends J> jobs) {
    return enqueuer.enqueueAll(connection, jobs, EnqueueOptions.defaults());
  }

  /**
   * Enqueues many jobs with the same options (no idempotency key), as {@link
   * #enqueueAll(Connection, Collection)}.
   *
   * @throws IllegalArgumentException if the options carry an idempotency key
   */
  public int enqueueAll(
      Connection connection, Collection<? extends J> jobs, EnqueueOptions options) {
    return enqueuer.enqueueAll(connection, jobs, options);
  }

  /**
   * The enqueue machinery, for integrations that check jobs at once and write them at their own
   * flush, as the Hibernate module does. Internal: not part of the stable API.
   */
  public Enqueuer<J> enqueuer() {
    return enqueuer;
  }

  /** Starts configuring a drainer over this outbox's tables. */
  public DrainerBuilder<J> drainer() {
    return DrainerBuilder.create(codec, store);
  }

  /**
   * The queue's state now, by the database clock: jobs due, scheduled and leased, the oldest due
   * job's age, dead letters by reason. Two short statements on a pooled connection; each job-table
   * count reads at most 100,000 index entries and stops there (see {@link QueueStats}), so a call
   * costs the same on a table of any depth. Meant for health checks and gauges polled every few
   * seconds, not for every job.
   */
  public QueueStats stats() {
    return stats(Stats.DEFAULT_CAP);
  }

  /** {@link #stats()} with another cap on the job-table counts. */
  QueueStats stats(long cap) {
    return Stats.read(transactions, sql, cap);
  }

  /** The dead-letter table: list, count, find, requeue, delete. */
  public DeadLetters deadLetters() {
    return deadLetters;
  }

  /**
   * Creates the job and dead-letter tables and their indexes where missing, and brings tables of an
   * earlier version up to date with the migrations they lack (auto-commit DDL; jobs already queued
   * are kept, and rows from before the event id get one). The same migrations ship for Flyway and
   * Liquibase under {@link Dialect#migrationLocation()}.
   */
  public void createSchemaIfMissing() {
    Schema.createIfMissing(transactions, sql);
  }

  /**
   * PostgreSQL only, optional: creates a statement trigger that sends {@code NOTIFY} whenever rows
   * are inserted into the job table, unless it exists (auto-commit DDL; the statements are in
   * {@code dev/outbox/jdbc/schema/postgresql-notify-trigger.sql}). Only for writers that insert
   * jobs without this library: {@link #enqueue} notifies listening drainers by itself. The cost:
   * every transaction that inserts into the table then notifies, and PostgreSQL commits notifying
   * transactions one at a time, server-wide. Remove it with {@code DROP TRIGGER <job table>_notify
   * ON <job table>}.
   *
   * @throws OutboxException.Misconfigured on another database
   */
  public void createNotifyTrigger() {
    Schema.createNotifyTrigger(transactions, dialect, sql.jobTable());
  }

  /**
   * The DDL {@link #createSchemaIfMissing()} runs on an empty database (every migration in order),
   * with this outbox's table names.
   */
  public List<String> schemaStatements() {
    return Schema.statements(dialect, sql.jobTable(), sql.deadLetterTable());
  }

  /** The codec that turns jobs into rows and back. */
  public JobCodec<J> codec() {
    return codec;
  }

  /** The dialect in use. */
  public Dialect dialect() {
    return dialect;
  }

  /** The job table's name. */
  public String jobTable() {
    return sql.jobTable();
  }

  /** The dead-letter table's name. */
  public String deadLetterTable() {
    return sql.deadLetterTable();
  }

  @Override
  public String toString() {
    return "JdbcOutbox["
        + codec.root().getSimpleName()
        + ", "
        + dialect
        + ", "
        + sql.jobTable()
        + "]";
  }

  /**
   * Configures a {@link JdbcOutbox}; every setting is checked in {@link #build()}. Not thread-safe.
   *
   * @param <J> the sealed job root
   */
  public static final class Builder<J> {
    /** Default job table: {@value}. */
    public static final String DEFAULT_JOB_TABLE = "outbox_job";

    /** Default dead-letter table: {@value}. */
    public static final String DEFAULT_DEAD_LETTER_TABLE = "outbox_dead_letter";

    /** Default largest payload: 1 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;

    /** Default bound on each statement a drainer runs: 30 seconds. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final Class<J> root;
    private ObjectMapper mapper;
    private Dialect dialect;
    private String jobTable = DEFAULT_JOB_TABLE;
    private String deadLetterTable = DEFAULT_DEAD_LETTER_TABLE;
    private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
    private TransactionRunner transactionRunner;

    private Builder(DataSource dataSource, Class<J> root) {
      this.dataSource = dataSource;
      this.root = root;
    }

    /** Your own ObjectMapper (copied). Default: {@link JobCodec#defaultMapper()}. */
    public Builder<J> objectMapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /** The dialect, instead of detecting it from the data source's metadata. */
    public Builder<J> dialect(Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * The job table, optionally schema-qualified. A plain identifier (letters, digits, '_'), no
     * part of it a reserved word of PostgreSQL, MariaDB/MySQL or H2, and at most 51 characters
     * without the schema, so that the index names derived from it fit PostgreSQL's 63 bytes;
     * checked by {@link #build()}. Default {@value #DEFAULT_JOB_TABLE}.
     */
    public Builder<J> jobTable(String name) {
      this.jobTable = name;
      return this;
    }

    /**
     * The dead-letter table, under the rules of {@link #jobTable(String)} but at most 56 characters
     * without the schema. Default {@value #DEFAULT_DEAD_LETTER_TABLE}.
     */
    public Builder<J> deadLetterTable(String name) {
      this.deadLetterTable = name;
      return this;
    }

    /** The largest payload enqueue accepts, in UTF-8 bytes. Default 1 MiB. */
    public Builder<J> maxPayloadBytes(int bytes) {
      this.maxPayloadBytes = bytes;
      return this;
    }

    /**
     * How long any statement a drainer runs (claims, outcome writes, lease renewals, and those of
     * transactional handlers, on the connections the library borrows) may wait for the database's
     * answer before it fails: set with {@link Connection#setNetworkTimeout} on each borrowed
     * connection and put back before it is returned. A half-open connection then fails one
     * statement and the drainer goes on, instead of blocking in a socket read for good, as drivers
     * do by default (pgjdbc's {@code socketTimeout} is 0). Enqueue, on your connection, is not
     * affected. Zero for none. Default 30 seconds.
     */
    public Builder<J> statementTimeout(Duration timeout) {
      this.statementTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * How the transactions of transactional handlers are run (see {@link TransactionRunner}), for
     * framework integrations whose code inside a handler should join the library's transaction.
     * Default: the library opens, commits and rolls back its own on a connection of the data
     * source. The claims and outcome writes of the drainer never go through it.
     */
    public Builder<J> transactionRunner(TransactionRunner runner) {
      this.transactionRunner = Objects.requireNonNull(runner, "runner");
      return this;
    }

    /**
     * Validates every setting, builds the codec and detects the dialect (borrowing one connection
     * if none was set).
     *
     * @throws OutboxException.Misconfigured naming the bad setting and its value
     */
    public JdbcOutbox<J> build() {
      Identifiers.table("jobTable", jobTable, DEFAULT_JOB_TABLE);
      Identifiers.table("deadLetterTable", deadLetterTable, DEFAULT_DEAD_LETTER_TABLE);
      if (jobTable.equalsIgnoreCase(deadLetterTable)) {
        throw new OutboxException.Misconfigured(
            "jobTable and deadLetterTable must differ, both were '" + jobTable + "'");
      }
      if (statementTimeout.isNegative()) {
        throw new OutboxException.Misconfigured(
            "statementTimeout must not be negative, was " + statementTimeout);
      }
      if (maxPayloadBytes < 1) {
        throw new OutboxException.Misconfigured(
            "maxPayloadBytes must be positive, was " + maxPayloadBytes);
      }
      JobCodec<J> codec = mapper == null ? JobCodec.of(root) : JobCodec.of(root, mapper);
      return new JdbcOutbox<>(this, dialect != null ? dialect : detect(), codec);
    }

    private Dialect detect() {
      try (Connection connection = dataSource.getConnection()) {
        return Dialect.detect(connection.getMetaData());
      } catch (SQLException e) {
        throw new OutboxException.Misconfigured(
            "could not detect the database dialect: "
                + e.getMessage()
                + "; is the database reachable? Or set it with .dialect(Dialect.…)",
            e);
      }
    }
  }
}
