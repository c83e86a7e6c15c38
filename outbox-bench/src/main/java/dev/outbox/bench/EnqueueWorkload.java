package dev.outbox.bench;

import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.job.JobCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Workload 2, enqueue: transactions/s of a domain transaction inserting one order row, alone, with
 * {@code outbox.enqueue} (which sends a NOTIFY itself, at most once per 5 ms), and with a
 * hand-written insert of an equivalent job row into a copy of the job table, as a hand-rolled
 * outbox would have: without a trigger, and with the library's opt-in NOTIFY trigger, which
 * notifies from every transaction (what a per-transaction notify costs: PostgreSQL commits
 * notifying transactions one at a time), and without it but reading the generated id back, as the
 * library does, into a copy with fillfactor 100 and into one with the job table's 50 (which the
 * claim wants, see schema/postgresql/V1__outbox_baseline.sql), reading it through its own {@code
 * RETURNING id} instead of generated keys, and the job encoded by the library's codec and inserted
 * by hand (what the typed encode adds inside a transaction); and the plain hand insert a second
 * time under another name, whose ratio to the first shows how finely the method resolves; 1 and 4
 * threads, the contestants interleaved in 20 ms phases (see {@link Slices}). Then {@code
 * enqueueAll} of 1,000 jobs in rows/s beside a hand-written JDBC batch into the same table, with
 * pgjdbc's default and with {@code reWriteBatchedInserts}.
 */
final class EnqueueWorkload {
  static final String ORDERS = "bench_order";
  static final String HAND_JOBS = "bench_hand_job";
  static final String TRIGGER_JOBS = "bench_trigger_job";
  static final String HALF_FULL_JOBS = "bench_half_full_job";
  private static final String NO_TRIGGER = "+ hand insert, no trigger";
  private static final String NO_TRIGGER_AGAIN = "+ hand insert, no trigger, again";
  private static final String TRIGGER = "+ hand insert, NOTIFY trigger";
  private static final String ID_BACK = "+ hand insert, id read back";
  private static final String ID_BACK_HALF_FULL = "+ hand insert, id read back, fillfactor 50";
  private static final String RETURNING = "+ hand insert, RETURNING id by executeQuery";
  private static final String ENCODED = "+ encoded job by hand, id read back, fillfactor 50";

  private static final String W = "enqueue";

  /** The workload name that runs one round of the one-job transactions in a JVM of its own. */
  static final String FORK = "enqueue-interleaved";

  private static final JobCodec<BenchJob> CODEC = JobCodec.of(BenchJob.class);

  private final BenchContext context;
  private final Database db;
  private final JobTable jobs;
  private final Duration duration;

  EnqueueWorkload(BenchContext context) {
    this.context = context;
    this.db = context.postgres();
    this.jobs = context.postgresJobs();
    this.duration = Duration.ofSeconds(3);
  }

  void run() throws Exception {
    createTables();
    singleInserts();
    try (Database rewriting = Database.open(Database.Kind.POSTGRESQL, 4, rewriteSuffix())) {
      JdbcOutbox<BenchJob> rewritingOutbox =
          JdbcOutbox.builder(rewriting.dataSource(), BenchJob.class)
              .jobTable(JobTable.NAME)
              .deadLetterTable(JobTable.DEAD_LETTERS)
              .build();
      List<Cell> cells = new ArrayList<>();
      cells.add(batchCell("enqueueAll(1,000)", "pgjdbc default", db.dataSource(), jobs.outbox()));
      cells.add(batchCell("hand JDBC batch(1,000)", "pgjdbc default", db.dataSource(), null));
      cells.add(
          batchCell(
              "enqueueAll(1,000)",
              "reWriteBatchedInserts",
              rewriting.dataSource(),
              rewritingOutbox));
      cells.add(
          batchCell(
              "hand JDBC batch(1,000)", "reWriteBatchedInserts", rewriting.dataSource(), null));
      Map<Cell, List<RoundResult>> results =
          context.rounds().run(cells, context.options().rounds(), context.options().warmUp());
      results.forEach(context.report()::add);
    }
    ratios();
  }

  /**
   * The one-job transactions, contestants interleaved in phases (see {@link Slices}): each round at
   * 1 and then 4 threads, in a JVM of its own after a warm-up round whose figures are dropped. In
   * that JVM ({@link #FORK}) this is all that runs; the tables are the parent's.
   */
  void singleInserts() throws Exception {
    List<Slices.Contestant> contestants =
        List.of(
            contestant("domain tx only", (tx, seq) -> {}),
            contestant("+ outbox.enqueue", (tx, seq) -> jobs.outbox().enqueue(tx, noop(seq))),
            contestant(NO_TRIGGER, (tx, seq) -> handInsert(tx, HAND_JOBS, seq, false)),
            contestant(NO_TRIGGER_AGAIN, (tx, seq) -> handInsert(tx, HAND_JOBS, seq, false)),
            contestant(ID_BACK, (tx, seq) -> handInsert(tx, HAND_JOBS, seq, true)),
            contestant(ID_BACK_HALF_FULL, (tx, seq) -> handInsert(tx, HALF_FULL_JOBS, seq, true)),
            contestant(RETURNING, (tx, seq) -> returningInsert(tx, HAND_JOBS, seq)),
            contestant(ENCODED, (tx, seq) -> encodedInsert(tx, HALF_FULL_JOBS, seq)),
            contestant(TRIGGER, (tx, seq) -> handInsert(tx, TRIGGER_JOBS, seq, false)));
    Slices.rounds(
        context,
        db,
        W,
        FORK,
        "tx/s",
        List.of(1, 4),
        threads -> threads + " thr",
        this::truncate,
        contestants);
  }

  private Slices.Contestant contestant(String name, Extra extra) {
    return new Slices.Contestant(
        name,
        (thread, i) -> {
          transaction(db.dataSource(), thread * 1_000_000_000L + i, extra);
          return 1;
        });
  }

  private void ratios() {
    Report report = context.report();
    String enqueue = "+ outbox.enqueue";
    for (int threads : List.of(1, 4)) {
      String setup = threads + " thr";
      ratio("outbox.enqueue / hand insert (no trigger)", enqueue, NO_TRIGGER, setup, 0.95);
      ratio("outbox.enqueue / hand insert reading the id back", enqueue, ID_BACK, setup, null);
      ratio(
          "hand insert / the same hand insert (the method's own noise)",
          NO_TRIGGER_AGAIN,
          NO_TRIGGER,
          setup,
          null);
      ratio(
          "hand insert reading the id back, fillfactor 50 / fillfactor 100",
          ID_BACK_HALF_FULL,
          ID_BACK,
          setup,
          null);
      ratio(
          "outbox.enqueue / hand insert reading the id back, fillfactor 50",
          enqueue,
          ID_BACK_HALF_FULL,
          setup,
          null);
      ratio(
          "hand insert, RETURNING id by executeQuery / id as generated key",
          RETURNING,
          ID_BACK,
          setup,
          null);
      ratio(
          "encoded job by hand / hand insert (both id read back, fillfactor 50)",
          ENCODED,
          ID_BACK_HALF_FULL,
          setup,
          null);
      ratio(
          "outbox.enqueue / encoded job by hand (id read back, fillfactor 50)",
          enqueue,
          ENCODED,
          setup,
          null);
      ratio("hand insert with NOTIFY trigger / without", TRIGGER, NO_TRIGGER, setup, null);
      ratio("outbox.enqueue / domain tx only", enqueue, "domain tx only", setup, null);
    }
    for (String driver : List.of("pgjdbc default", "reWriteBatchedInserts")) {
      report.ratio(
          "enqueueAll rows/s, " + driver,
          report.median(W, "enqueueAll(1,000)", driver, "rows/s"),
          50_000.0);
    }
  }

  private void ratio(String what, String top, String bottom, String setup, Double atLeast) {
    context.report().slicedRatio("enqueue tx/s: " + what, W, "tx/s", top, bottom, setup, atLeast);
  }

  private void createTables() {
    db.drop(ORDERS, HAND_JOBS, TRIGGER_JOBS, HALF_FULL_JOBS);
    db.execute(
        "CREATE TABLE "
            + ORDERS
            + " (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
            + " customer TEXT NOT NULL, amount BIGINT NOT NULL, created_at BIGINT NOT NULL)",
        "CREATE TABLE " + HAND_JOBS + " (LIKE " + JobTable.NAME + " INCLUDING ALL)",
        "CREATE TABLE " + TRIGGER_JOBS + " (LIKE " + JobTable.NAME + " INCLUDING ALL)",
        // LIKE copies no storage parameters; this copy has the job table's fillfactor.
        "CREATE TABLE "
            + HALF_FULL_JOBS
            + " (LIKE "
            + JobTable.NAME
            + " INCLUDING ALL) WITH (fillfactor = 50)");
    JdbcOutbox.builder(db.dataSource(), BenchJob.class)
        .jobTable(TRIGGER_JOBS)
        .build()
        .createNotifyTrigger();
  }

  /** The work a transaction does beside inserting its order. */
  @FunctionalInterface
  private interface Extra {
    void run(Connection tx, long seq) throws Exception;
  }

  private static void transaction(DataSource dataSource, long seq, Extra extra) throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      try (PreparedStatement order =
          tx.prepareStatement(
              "INSERT INTO " + ORDERS + " (customer, amount, created_at) VALUES (?, ?, ?)")) {
        order.setString(1, "customer-" + (seq % 1_000));
        order.setLong(2, seq % 10_000);
        order.setLong(3, System.currentTimeMillis());
        order.executeUpdate();
      }
      extra.run(tx, seq);
      tx.commit();
      tx.setAutoCommit(true);
    }
  }

  /**
   * The row {@code outbox.enqueue} writes, written by hand; with {@code readId}, reading the
   * generated id back as the library does for {@code EnqueueResult.Stored}.
   */
  private static void handInsert(Connection tx, String table, long seq, boolean readId)
      throws SQLException {
    insertRow(tx, handInsertSql(table), seq, readId);
  }

  /**
   * Runs an insert of {@link #handInsertSql}'s shape (kind and payload bound) for job {@code seq},
   * reading the generated id back if {@code readId}. Shared with the Hibernate workload.
   */
  static void insertRow(Connection tx, String sql, long seq, boolean readId) throws SQLException {
    insertRow(tx, sql, "Noop", handPayload(seq), readId);
  }

  /** As {@link #insertRow(Connection, String, long, boolean)}, of the given kind and payload. */
  private static void insertRow(
      Connection tx, String sql, String kind, String payload, boolean readId) throws SQLException {
    try (PreparedStatement insert =
        readId ? tx.prepareStatement(sql, new String[] {"id"}) : tx.prepareStatement(sql)) {
      insert.setString(1, kind);
      insert.setString(2, payload);
      insert.setString(3, UUID.randomUUID().toString());
      insert.executeUpdate();
      if (readId) {
        try (ResultSet id = insert.getGeneratedKeys()) {
          id.next();
          id.getLong(1);
        }
      }
    }
  }

  /**
   * A hand-written insert of the row {@code outbox.enqueue} writes with default options, as a
   * hand-rolled outbox would have it: kind, payload and a random UUID as the event id bound, no
   * keys, times from the database clock. Shared with the Hibernate workload.
   */
  static String handInsertSql(String table) {
    String now = "(date_part('epoch', statement_timestamp()) * 1000)::BIGINT";
    return "INSERT INTO "
        + table
        + " (kind, payload, ordering_key, idempotency_key, created_at,"
        + " run_at, attempts, event_id) VALUES (?, ?, NULL, NULL, "
        + now
        + ", "
        + now
        + ", 0, ?)";
  }

  /**
   * The hand insert reading its id back through its own {@code RETURNING id} and {@code
   * executeQuery}, instead of the generated keys the library asks pgjdbc for (which appends the
   * same clause).
   */
  private static void returningInsert(Connection tx, String table, long seq) throws SQLException {
    try (PreparedStatement insert = tx.prepareStatement(handInsertSql(table) + " RETURNING id")) {
      bindHandRow(insert, seq);
      try (ResultSet id = insert.executeQuery()) {
        id.next();
        id.getLong(1);
      }
    }
  }

  /**
   * The hand insert, id read back, of the job encoded by the library's codec (the same kind and
   * payload as the hand row): what the typed encode adds in a transaction, beside the codec's
   * micro-benchmark.
   */
  private static void encodedInsert(Connection tx, String table, long seq) throws SQLException {
    JobCodec.Encoded encoded = CODEC.encode(noop(seq));
    insertRow(tx, handInsertSql(table), encoded.kind(), encoded.payload(), true);
  }

  private static void bindHandRow(PreparedStatement insert, long seq) throws SQLException {
    insert.setString(1, "Noop");
    insert.setString(2, handPayload(seq));
    insert.setString(3, UUID.randomUUID().toString());
  }

  /** The payload the codec writes for job {@code seq}, written by hand. */
  private static String handPayload(long seq) {
    return "{\"seq\":" + (int) seq + "}";
  }

  private Cell batchCell(
      String contestant, String setup, DataSource dataSource, JdbcOutbox<BenchJob> outbox) {
    return Cell.of(
        W,
        contestant,
        setup,
        () -> {
          truncate();
          double perSecond =
              TimedLoops.run(
                      1,
                      duration,
                      (thread, i) -> {
                        insertThousand(dataSource, outbox, (int) (i * 1_000));
                        return 1_000;
                      })
                  .perSecond();
          return RoundResult.figures(Map.of("rows/s", perSecond), Double.NaN);
        });
  }

  private static void insertThousand(DataSource dataSource, JdbcOutbox<BenchJob> outbox, int first)
      throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      if (outbox != null) {
        List<BenchJob> batch = new ArrayList<>(1_000);
        for (int seq = first; seq < first + 1_000; seq++) {
          batch.add(noop(seq));
        }
        outbox.enqueueAll(tx, batch);
      } else {
        try (PreparedStatement insert = tx.prepareStatement(handInsertSql(JobTable.NAME))) {
          for (int seq = first; seq < first + 1_000; seq++) {
            bindHandRow(insert, seq);
            insert.addBatch();
          }
          insert.executeBatch();
        }
      }
      tx.commit();
      tx.setAutoCommit(true);
    }
  }

  private void truncate() {
    db.execute(
        "TRUNCATE TABLE " + ORDERS,
        "TRUNCATE TABLE " + HAND_JOBS,
        "TRUNCATE TABLE " + TRIGGER_JOBS,
        "TRUNCATE TABLE " + HALF_FULL_JOBS);
    jobs.truncate();
  }

  private static BenchJob noop(long seq) {
    return new BenchJob.Noop((int) seq);
  }

  private static String rewriteSuffix() {
    String url = Database.Kind.POSTGRESQL.url();
    return (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
  }
}
