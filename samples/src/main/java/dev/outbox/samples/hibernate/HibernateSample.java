package dev.outbox.samples.hibernate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.JobHandler;
import dev.outbox.hibernate.HibernateOutbox;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.samples.hibernate.SampleJob.EntityChanged;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

/**
 * Database change events from a Hibernate entity: signing up a {@link User} enqueues nothing by
 * hand, yet produces {@code db/users.created}, which the handler turns into a welcome email
 * (printed); an update and a delete produce their events; a signup that fails after its insert
 * rolls back, event included. A drainer in the same JVM is woken by each commit.
 *
 * <p>Runs on embedded H2; pass {@code --postgres} to use the local PostgreSQL instead.
 */
public final class HibernateSample {
  private HibernateSample() {}

  /** Runs the demo and exits. */
  public static void main(String[] args) throws Exception {
    // Hibernate logs through JBoss Logging; route it to SLF4J so that only warnings show.
    System.setProperty("org.jboss.logging.provider", "slf4j");
    boolean postgres = List.of(args).contains("--postgres");
    try (HikariDataSource dataSource = dataSource(postgres)) {
      run(dataSource, System.out);
    }
  }

  /** What the demo did, for its test: the handled kinds in order, and what is left. */
  public record Summary(List<String> handled, long users, long pendingJobs) {}

  /** Runs every step against {@code dataSource}, printing what happens to {@code out}. */
  public static Summary run(DataSource dataSource, PrintStream out) throws Exception {
    JdbcOutbox<SampleJob> jdbc =
        JdbcOutbox.builder(dataSource, SampleJob.class)
            .jobTable("hibernate_sample_job")
            .deadLetterTable("hibernate_sample_dead_letter")
            .build();
    resetOutboxTables(dataSource, jdbc);
    List<String> handled = new CopyOnWriteArrayList<>();
    CountDownLatch threeEvents = new CountDownLatch(3);
    try (SessionFactory sessionFactory = sessionFactory(dataSource)) {
      HibernateOutbox<SampleJob> outbox = HibernateOutbox.builder(jdbc, sessionFactory).build();
      Drainer<SampleJob> drainer =
          outbox
              .drainer()
              .pollInterval(Duration.ofMinutes(1)) // the commit wakes it long before
              .handler(
                  JobHandler.consuming(
                      job -> {
                        handle(job, out);
                        handled.add(((EntityChanged) job).kind());
                        threeEvents.countDown();
                      }))
              .build();
      outbox.wakeOnCommit(drainer);
      drainer.start();

      Long ada =
          sessionFactory.fromTransaction(
              session -> {
                User user = new User("ada@example.com", "Ada");
                session.persist(user);
                return user.getId();
              });
      out.printf("1. Signed up ada@example.com as user %d; nothing enqueued by hand.%n", ada);
      signUpFailing(sessionFactory, out);
      sessionFactory.inTransaction(
          session -> session.find(User.class, ada).setEmail("ada@lovelace.org"));
      out.println("3. Changed ada's email.");
      sessionFactory.inTransaction(session -> session.remove(session.find(User.class, ada)));
      out.println("4. Deleted ada.");

      if (!threeEvents.await(30, TimeUnit.SECONDS)) {
        out.println("The drainer did not handle three events within 30 seconds.");
      }
      drainer.close();
      long users = sessionFactory.fromTransaction(HibernateSample::countUsers);
      long pending = sessionFactory.fromTransaction(session -> countJobs(session, jdbc));
      out.printf(
          "5. Handled %s; %d user(s) and %d pending job(s) left.%n", handled, users, pending);
      return new Summary(List.copyOf(handled), users, pending);
    }
  }

  /** The handler: a switch over the event's kind, as any handler of the job hierarchy. */
  private static void handle(SampleJob job, PrintStream out) {
    if (!(job instanceof EntityChanged change)) {
      return;
    }
    switch (change.kind()) {
      case "db/users.created" ->
          out.printf(
              "   -> Welcome email to %s: \"Hi %s, thanks for signing up!\"%n",
              change.state().get("email"), change.state().get("name"));
      case "db/users.updated" ->
          out.printf(
              "   -> User %s changed %s, was %s%n",
              change.id(), change.changed(), change.previous());
      case "db/users.deleted" ->
          out.printf(
              "   -> User %s deleted; farewell email to %s%n",
              change.id(), change.state().get("email"));
      default -> out.printf("   -> (no handling for %s)%n", change.kind());
    }
  }

  /** A signup whose insert (and so its event) was flushed, then fails: both roll back. */
  private static void signUpFailing(SessionFactory sessionFactory, PrintStream out) {
    try {
      sessionFactory.inTransaction(
          session -> {
            session.persist(new User("bob@example.com", "Bob"));
            session.flush(); // the row and its db/users.created are written here...
            throw new IllegalStateException("the card was declined");
          });
    } catch (IllegalStateException e) {
      out.printf(
          "2. Signup of bob@example.com failed (%s) and rolled back: no user, no event.%n",
          e.getMessage());
    }
  }

  private static SessionFactory sessionFactory(DataSource dataSource) {
    return new HibernatePersistenceConfiguration("hibernate-sample")
        .managedClasses(User.class)
        .property("hibernate.connection.datasource", dataSource)
        .schemaToolingAction(Action.CREATE_DROP)
        .createEntityManagerFactory();
  }

  private static long countUsers(org.hibernate.Session session) {
    return session.createSelectionQuery("select count(*) from User", Long.class).getSingleResult();
  }

  private static long countJobs(org.hibernate.Session session, JdbcOutbox<?> jdbc) {
    return session.doReturningWork(
        connection -> {
          try (Statement statement = connection.createStatement();
              var rows = statement.executeQuery("SELECT COUNT(*) FROM " + jdbc.jobTable())) {
            rows.next();
            return rows.getLong(1);
          }
        });
  }

  private static void resetOutboxTables(DataSource dataSource, JdbcOutbox<?> jdbc)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + jdbc.jobTable());
      statement.execute("DROP TABLE IF EXISTS " + jdbc.deadLetterTable());
    }
    jdbc.createSchemaIfMissing();
  }

  private static HikariDataSource dataSource(boolean postgres) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(
        postgres
            ? "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"
            : "jdbc:h2:mem:hibernate_sample;DB_CLOSE_DELAY=-1");
    config.setMaximumPoolSize(10);
    return new HikariDataSource(config);
  }
}
