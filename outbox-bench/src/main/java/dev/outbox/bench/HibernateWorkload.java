package dev.outbox.bench;

import dev.outbox.hibernate.HibernateOutbox;
import dev.outbox.jdbc.Dialect;
import dev.outbox.jdbc.internal.SqlDialect;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

/**
 * Workload 2, the Hibernate path, JDBC batching on ({@code hibernate.jdbc.batch_size} 50): each
 * transaction persists 10 orders and enqueues one job per order with {@code
 * HibernateOutbox.enqueue} (held, written at the flush in one statement), beside the same 10 orders
 * alone and with a hand-written insert of each job row through {@code Session.doWork};
 * transactions/s at 1 and 4 threads, the contestants interleaved in 20 ms phases (see {@link
 * Slices}). The hand insert is the enqueue workload's (the same row, times from the database clock)
 * and reads no id back; "same row by hand" runs the library's own single-row insert, the generated
 * id read back, through {@code doWork}; {@code HibernateOutbox.enqueueNow} writes each job at once,
 * so that its ratio to that one is the cost of the Hibernate path alone. Two more for a transaction
 * with many jobs: the 10 jobs in one {@code HibernateOutbox.enqueueAll}, and a hand-rolled outbox's
 * way, a job entity per order ({@link BenchJobEntity}) that Hibernate inserts in one JDBC batch at
 * the flush.
 */
final class HibernateWorkload {
  private static final String W = "enqueue hibernate";
  private static final int ORDERS_PER_TX = 10;
  private static final String LIBRARY = "+ HibernateOutbox.enqueue";
  private static final String HAND = "+ hand insert (doWork)";
  private static final String SAME_ROW = "+ same row by hand (doWork)";
  private static final String NOW = "+ HibernateOutbox.enqueueNow";
  private static final String ALL = "+ HibernateOutbox.enqueueAll (one call)";
  private static final String ENTITY = "+ job entity persisted (batched)";

  /** The workload name that runs one round in a JVM of its own (see {@link Slices}). */
  static final String FORK = "hibernate-interleaved";

  private final BenchContext context;

  HibernateWorkload(BenchContext context) {
    this.context = context;
  }

  void run() throws Exception {
    context
        .postgres()
        .executeQuietly(
            "DROP TABLE IF EXISTS bench_hib_order",
            "DROP SEQUENCE IF EXISTS bench_hib_order_seq",
            "DROP TABLE IF EXISTS bench_hib_job_entity",
            "DROP SEQUENCE IF EXISTS bench_hib_job_entity_seq");
    interleaved(Action.CREATE);
    for (int threads : List.of(1, 4)) {
      String setup = setup(threads);
      ratio("HibernateOutbox.enqueue / hand insert", LIBRARY, HAND, setup, 0.95);
      ratio("HibernateOutbox.enqueue / same row by hand", LIBRARY, SAME_ROW, setup, 0.95);
      ratio("same row by hand / hand insert (the id read back)", SAME_ROW, HAND, setup, null);
      ratio("HibernateOutbox.enqueueNow / hand insert", NOW, HAND, setup, null);
      ratio("HibernateOutbox.enqueueNow / same row by hand", NOW, SAME_ROW, setup, null);
      ratio("HibernateOutbox.enqueue / job entity persisted", LIBRARY, ENTITY, setup, null);
      ratio("HibernateOutbox.enqueueAll / job entity persisted", ALL, ENTITY, setup, null);
      ratio("HibernateOutbox.enqueueAll / hand insert", ALL, HAND, setup, null);
    }
  }

  /** One round in a JVM of its own ({@link #FORK}), on the tables the parent created. */
  void forked() throws Exception {
    interleaved(Action.NONE);
  }

  /** The contestants, interleaved in phases (see {@link Slices}); {@code schema}: of the tables. */
  private void interleaved(Action schema) throws Exception {
    Database db = context.postgres();
    JobTable jobs = context.postgresJobs();
    try (SessionFactory factory = sessionFactory(db, schema)) {
      HibernateOutbox<BenchJob> outbox = HibernateOutbox.builder(jobs.outbox(), factory).build();
      String sameRowSql =
          SqlDialect.of(Dialect.POSTGRESQL, JobTable.NAME, JobTable.DEAD_LETTERS).insertDefaults();
      List<Slices.Contestant> contestants =
          List.of(
              contestant(factory, "persist only", (em, seqs) -> {}),
              contestant(
                  factory,
                  LIBRARY,
                  eachJob((em, seq) -> outbox.enqueue(em, new BenchJob.Noop((int) seq)))),
              contestant(
                  factory,
                  NOW,
                  eachJob((em, seq) -> outbox.enqueueNow(em, new BenchJob.Noop((int) seq)))),
              contestant(
                  factory,
                  ALL,
                  (em, seqs) -> {
                    List<BenchJob> batch = new ArrayList<>(seqs.length);
                    for (long seq : seqs) {
                      batch.add(new BenchJob.Noop((int) seq));
                    }
                    outbox.enqueueAll(em, batch);
                  }),
              contestant(
                  factory,
                  ENTITY,
                  eachJob(
                      (em, seq) ->
                          em.persist(
                              new BenchJobEntity(
                                  "Noop",
                                  "{\"seq\":" + (int) seq + "}",
                                  System.currentTimeMillis())))),
              contestant(
                  factory, HAND, byHand(EnqueueWorkload.handInsertSql(JobTable.NAME), false)),
              contestant(factory, SAME_ROW, byHand(sameRowSql, true)));
      Slices.rounds(
          context,
          db,
          W,
          FORK,
          "tx/s",
          List.of(1, 4),
          HibernateWorkload::setup,
          () -> {
            jobs.truncate();
            db.execute("TRUNCATE TABLE bench_hib_order", "TRUNCATE TABLE bench_hib_job_entity");
          },
          contestants);
    }
  }

  private void ratio(String what, String top, String bottom, String setup, Double atLeast) {
    context.report().slicedRatio("Hibernate tx/s: " + what, W, "tx/s", top, bottom, setup, atLeast);
  }

  private static SessionFactory sessionFactory(Database db, Action schema) {
    return new HibernatePersistenceConfiguration("outbox-bench")
        .managedClasses(BenchOrder.class, BenchJobEntity.class)
        .property("hibernate.connection.datasource", db.dataSource())
        .property("hibernate.jdbc.batch_size", 50)
        .property("hibernate.order_inserts", true)
        .schemaToolingAction(schema)
        .createEntityManagerFactory();
  }

  /** What a transaction writes for its jobs, one per order ({@code seqs}), after the orders. */
  @FunctionalInterface
  private interface Jobs {
    void write(EntityManager em, long[] seqs) throws Exception;
  }

  /** What a transaction writes for one job. */
  @FunctionalInterface
  private interface PerJob {
    void write(EntityManager em, long seq) throws Exception;
  }

  /** Jobs written one call per job. */
  private static Jobs eachJob(PerJob perJob) {
    return (em, seqs) -> {
      for (long seq : seqs) {
        perJob.write(em, seq);
      }
    };
  }

  /** Each job inserted with {@code sql} on the session's connection, reading its id if asked. */
  private static Jobs byHand(String sql, boolean readId) {
    return eachJob(
        (em, seq) ->
            em.unwrap(Session.class)
                .doWork(connection -> EnqueueWorkload.insertRow(connection, sql, seq, readId)));
  }

  private static String setup(int threads) {
    return threads + " thr, " + ORDERS_PER_TX + " orders/tx";
  }

  /**
   * A contestant whose transaction persists the orders, then writes their jobs with {@code jobs}
   * (the per-job writes that go to the database at once come before the orders' batch either way:
   * Hibernate inserts the orders at the flush before commit).
   */
  private static Slices.Contestant contestant(SessionFactory factory, String name, Jobs jobs) {
    return new Slices.Contestant(
        name,
        (thread, i) -> {
          try (EntityManager em = factory.createEntityManager()) {
            em.getTransaction().begin();
            long[] seqs = new long[ORDERS_PER_TX];
            for (int k = 0; k < ORDERS_PER_TX; k++) {
              seqs[k] = (thread * 100_000_000L + i * ORDERS_PER_TX + k) % Integer.MAX_VALUE;
              em.persist(new BenchOrder("customer-" + (seqs[k] % 1_000), seqs[k] % 10_000));
            }
            jobs.write(em, seqs);
            em.getTransaction().commit();
          }
          return 1;
        });
  }
}
