package dev.outbox.bench;

import dev.outbox.hibernate.HibernateOutbox;
import dev.outbox.jdbc.Dialect;
import dev.outbox.jdbc.internal.SqlDialect;
import jakarta.persistence.EntityManager;
import java.util.List;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

/**
 * Workload 2, the Hibernate path, JDBC batching on ({@code hibernate.jdbc.batch_size} 50): each
 * transaction persists 10 orders and enqueues one job per order with {@code
 * HibernateOutbox.enqueue}, beside the same 10 orders alone and with a hand-written insert of each
 * job row through {@code Session.doWork}; transactions/s at 1 and 4 threads, the contestants
 * alternating in 250 ms slices (see {@link Slices}). The hand insert is the enqueue workload's (the
 * same row, times from the database clock) and reads no id back; "same row by hand" runs the
 * library's own insert, the generated id read back, through {@code doWork}, so that its ratio is
 * the cost of the Hibernate path alone.
 */
final class HibernateWorkload {
  private static final String W = "enqueue hibernate";
  private static final int ORDERS_PER_TX = 10;
  private static final String LIBRARY = "+ HibernateOutbox.enqueue";
  private static final String HAND = "+ hand insert (doWork)";
  private static final String SAME_ROW = "+ same row by hand (doWork)";

  private final BenchContext context;

  HibernateWorkload(BenchContext context) {
    this.context = context;
  }

  void run() throws Exception {
    Database db = context.postgres();
    JobTable jobs = context.postgresJobs();
    db.executeQuietly(
        "DROP TABLE IF EXISTS bench_hib_order", "DROP SEQUENCE IF EXISTS bench_hib_order_seq");
    try (SessionFactory factory = sessionFactory(db)) {
      HibernateOutbox<BenchJob> outbox = HibernateOutbox.builder(jobs.outbox(), factory).build();
      String sameRowSql =
          SqlDialect.of(Dialect.POSTGRESQL, JobTable.NAME, JobTable.DEAD_LETTERS).insertDefaults();
      List<Slices.Contestant> contestants =
          List.of(
              contestant(factory, "persist only", (em, seq) -> {}),
              contestant(
                  factory, LIBRARY, (em, seq) -> outbox.enqueue(em, new BenchJob.Noop((int) seq))),
              contestant(
                  factory,
                  HAND,
                  (em, seq) ->
                      em.unwrap(Session.class)
                          .doWork(
                              connection ->
                                  EnqueueWorkload.insertRow(
                                      connection,
                                      EnqueueWorkload.handInsertSql(JobTable.NAME),
                                      seq,
                                      false))),
              contestant(
                  factory,
                  SAME_ROW,
                  (em, seq) ->
                      em.unwrap(Session.class)
                          .doWork(
                              connection ->
                                  EnqueueWorkload.insertRow(connection, sameRowSql, seq, true))));
      Slices.rounds(
          context,
          db,
          W,
          "tx/s",
          List.of(1, 4),
          HibernateWorkload::setup,
          () -> {
            jobs.truncate();
            db.execute("TRUNCATE TABLE bench_hib_order");
          },
          contestants);
      for (int threads : List.of(1, 4)) {
        String setup = setup(threads);
        ratio("HibernateOutbox.enqueue / hand insert", LIBRARY, HAND, setup, 0.95);
        ratio("HibernateOutbox.enqueue / same row by hand", LIBRARY, SAME_ROW, setup, 0.95);
        ratio("same row by hand / hand insert (the id read back)", SAME_ROW, HAND, setup, null);
      }
    }
  }

  private void ratio(String what, String top, String bottom, String setup, Double atLeast) {
    context.report().slicedRatio("Hibernate tx/s: " + what, W, "tx/s", top, bottom, setup, atLeast);
  }

  private static SessionFactory sessionFactory(Database db) {
    return new HibernatePersistenceConfiguration("outbox-bench")
        .managedClasses(BenchOrder.class)
        .property("hibernate.connection.datasource", db.dataSource())
        .property("hibernate.jdbc.batch_size", 50)
        .property("hibernate.order_inserts", true)
        .schemaToolingAction(Action.CREATE)
        .createEntityManagerFactory();
  }

  /** What a transaction does per order beside persisting it. */
  @FunctionalInterface
  private interface PerOrder {
    void run(EntityManager em, long seq) throws Exception;
  }

  private static String setup(int threads) {
    return threads + " thr, " + ORDERS_PER_TX + " orders/tx";
  }

  /** A contestant whose transaction persists the orders, each followed by {@code perOrder}. */
  private static Slices.Contestant contestant(
      SessionFactory factory, String name, PerOrder perOrder) {
    return new Slices.Contestant(
        name,
        (thread, i) -> {
          try (EntityManager em = factory.createEntityManager()) {
            em.getTransaction().begin();
            for (int k = 0; k < ORDERS_PER_TX; k++) {
              long seq = (thread * 100_000_000L + i * ORDERS_PER_TX + k) % Integer.MAX_VALUE;
              em.persist(new BenchOrder("customer-" + (seq % 1_000), seq % 10_000));
              perOrder.run(em, seq);
            }
            em.getTransaction().commit();
          }
          return 1;
        });
  }
}
