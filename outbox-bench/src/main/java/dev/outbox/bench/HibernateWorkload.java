package dev.outbox.bench;

import dev.outbox.hibernate.HibernateOutbox;
import dev.outbox.jdbc.Dialect;
import dev.outbox.jdbc.internal.SqlDialect;
import jakarta.persistence.EntityManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

/**
 * Workload 2, the Hibernate path, JDBC batching on ({@code hibernate.jdbc.batch_size} 50): each
 * transaction persists 10 orders and enqueues one job per order with {@code
 * HibernateOutbox.enqueue}, beside the same 10 orders alone and with a hand-written insert of each
 * job row through {@code Session.doWork}; transactions/s at 1 and 4 threads. The hand insert writes
 * constants where the library reads the database clock and returns no id; "same row by hand" runs
 * the library's own insert (created_at and run_at from the database clock, the generated id read
 * back) through {@code doWork}, so that its ratio is the cost of the Hibernate path alone.
 */
final class HibernateWorkload {
  private static final String W = "enqueue hibernate";
  private static final int ORDERS_PER_TX = 10;
  private static final String SAME_ROW = "+ same row by hand (doWork)";

  private final BenchContext context;
  private final Duration duration = Duration.ofSeconds(3);

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
          SqlDialect.of(Dialect.POSTGRESQL, JobTable.NAME, JobTable.DEAD_LETTERS)
              .insert(false, false);
      List<Cell> cells = new ArrayList<>();
      for (int threads : List.of(1, 4)) {
        String setup = threads + " thr, " + ORDERS_PER_TX + " orders/tx";
        cells.add(cell(db, jobs, factory, "persist only", setup, threads, (em, seq) -> {}));
        cells.add(
            cell(
                db,
                jobs,
                factory,
                "+ HibernateOutbox.enqueue",
                setup,
                threads,
                (em, seq) -> outbox.enqueue(em, new BenchJob.Noop((int) seq))));
        cells.add(
            cell(
                db,
                jobs,
                factory,
                "+ hand insert (doWork)",
                setup,
                threads,
                (em, seq) ->
                    em.unwrap(Session.class)
                        .doWork(
                            connection -> {
                              try (PreparedStatement insert =
                                  connection.prepareStatement(
                                      "INSERT INTO "
                                          + JobTable.NAME
                                          + " (kind, payload, created_at, run_at, attempts)"
                                          + " VALUES ('Noop', ?, 0, 0, 0)")) {
                                insert.setString(1, "{\"seq\":" + (int) seq + "}");
                                insert.executeUpdate();
                              }
                            })));
        cells.add(
            cell(
                db,
                jobs,
                factory,
                SAME_ROW,
                setup,
                threads,
                (em, seq) ->
                    em.unwrap(Session.class)
                        .doWork(
                            connection -> {
                              try (PreparedStatement insert =
                                  connection.prepareStatement(sameRowSql, new String[] {"id"})) {
                                insert.setString(1, "Noop");
                                insert.setString(2, "{\"seq\":" + (int) seq + "}");
                                insert.setString(3, null);
                                insert.setString(4, null);
                                insert.setLong(5, 0);
                                insert.executeUpdate();
                                try (ResultSet keys = insert.getGeneratedKeys()) {
                                  keys.next();
                                  keys.getLong(1);
                                }
                              }
                            })));
      }
      context
          .rounds()
          .run(cells, context.options().rounds(), context.options().warmUp())
          .forEach(context.report()::add);
      for (int threads : List.of(1, 4)) {
        String setup = threads + " thr, " + ORDERS_PER_TX + " orders/tx";
        context
            .report()
            .ratio(
                "Hibernate tx/s: HibernateOutbox.enqueue / hand insert, " + setup,
                context
                    .report()
                    .pairedRatio(
                        W,
                        "tx/s",
                        new String[] {"+ HibernateOutbox.enqueue", setup},
                        new String[] {"+ hand insert (doWork)", setup}),
                0.95);
        context
            .report()
            .ratio(
                "Hibernate tx/s: HibernateOutbox.enqueue / same row by hand, " + setup,
                context
                    .report()
                    .pairedRatio(
                        W,
                        "tx/s",
                        new String[] {"+ HibernateOutbox.enqueue", setup},
                        new String[] {SAME_ROW, setup}),
                0.95);
      }
    }
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

  private Cell cell(
      Database db,
      JobTable jobs,
      SessionFactory factory,
      String contestant,
      String setup,
      int threads,
      PerOrder perOrder) {
    return Cell.of(
        W,
        contestant,
        setup,
        () -> {
          jobs.truncate();
          db.execute("TRUNCATE TABLE bench_hib_order");
          long before = db.statements();
          TimedLoops.Timed timed =
              TimedLoops.run(
                  threads,
                  duration,
                  (thread, i) -> {
                    try (EntityManager em = factory.createEntityManager()) {
                      em.getTransaction().begin();
                      for (int k = 0; k < ORDERS_PER_TX; k++) {
                        long seq =
                            (thread * 100_000_000L + i * ORDERS_PER_TX + k) % Integer.MAX_VALUE;
                        em.persist(new BenchOrder("customer-" + (seq % 1_000), seq % 10_000));
                        perOrder.run(em, seq);
                      }
                      em.getTransaction().commit();
                    }
                    return 1;
                  });
          double statements = (db.statements() - before) / (double) Math.max(1, timed.units());
          return RoundResult.figures(Map.of("tx/s", timed.perSecond()), statements);
        });
  }
}
