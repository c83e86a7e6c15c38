package dev.outbox.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Outcome;
import dev.outbox.hibernate.ShopJob.SendWelcome;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Transactional handlers with a Hibernate session: entity changes, their change events, follow-up
 * jobs and the job's outcome commit together or not at all.
 */
public abstract class TransactionalSessionContract extends HibernateTestBase {

  private long welcome(String email) {
    sessionFactory.inTransaction(session -> outbox.enqueue(session, new SendWelcome(email)));
    return jobs().get(jobs().size() - 1).id();
  }

  /** Drains once: SendWelcome jobs go to {@code handler}, nothing else is due. */
  private DrainReport drain(HibernateTransactionalHandler<SendWelcome> handler) {
    try (var drainer =
        outbox
            .drainer()
            .handler(job -> Outcome.failed(new AssertionError("only SendWelcome jobs are due")))
            .transactional(SendWelcome.class, outbox.transactional(handler))
            .build()) {
      return drainer.drainOnce();
    }
  }

  private static boolean fails(SendWelcome job) {
    return job.email().startsWith("fails");
  }

  /** The emails of the SendWelcome jobs in the job table, sorted. */
  private List<String> welcomes() {
    return jobs().stream()
        .filter(job -> job.kind().equals("SendWelcome"))
        .map(job -> ((SendWelcome) jdbc.codec().parse(job.kind(), job.payload()).get()).email())
        .sorted()
        .toList();
  }

  private String column(String sql) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet result = statement.executeQuery()) {
      assertTrue(result.next(), "no row for " + sql);
      return result.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private long attempts(long id) {
    return Long.parseLong(column("SELECT attempts FROM " + jdbc.jobTable() + " WHERE id = " + id));
  }

  private String lastError(long id) {
    return column("SELECT last_error FROM " + jdbc.jobTable() + " WHERE id = " + id);
  }

  @Test
  void theHandlersEntityChangesAndTheJobsCompletionCommitTogether() {
    welcome("ada@example.com");
    DrainReport report =
        drain(
            (job, session) -> {
              EntityManager jpa = session; // a Session is an EntityManager
              jpa.persist(new Team(1, job.payload().email()));
              return Outcome.done();
            });
    assertEquals(1, report.succeeded());
    assertEquals("ada@example.com", column("SELECT name FROM " + table("team")));
    assertEquals(List.of(), jobs());
  }

  @Test
  void aHandlerThatChangesAnEntityThenThrowsLeavesNoChangeAndTheJobIsRetried() {
    long id = welcome("ada@example.com");
    DrainReport report =
        drain(
            (job, session) -> {
              session.persist(new Team(1, "core"));
              session.flush(); // the row is written in the transaction, not just pending
              throw new IllegalStateException("mailer down after the flush");
            });
    assertEquals(1, report.retried());
    assertEquals(0, count(table("team")));
    assertEquals(1, attempts(id));
    assertContains(lastError(id), "mailer down after the flush");
  }

  @Test
  void followUpJobsEnqueuedInTheHandlersSessionExistOnlyIfItCommits() {
    welcome("ok@example.com");
    welcome("fails@example.com");
    drain(
        (job, session) -> {
          outbox.enqueue(session, new SendWelcome("next-" + job.payload().email()));
          if (fails(job.payload())) {
            throw new IllegalStateException("fails after enqueueing");
          }
          return Outcome.done();
        });
    assertEquals(List.of("fails@example.com", "next-ok@example.com"), welcomes());
  }

  @Test
  void changeEventsOfEntitiesChangedInTheHandlerAppearOnlyIfItCommits() {
    sessionFactory.inTransaction(
        session ->
            outbox.withoutChangeEvents(
                session, () -> session.persist(new Customer(7, "ada@example.com", "Ada"))));
    welcome("ok@example.com");
    welcome("fails@example.com");
    drain(
        (job, session) -> {
          if (fails(job.payload())) {
            session.persist(new Customer(2, job.payload().email(), "Fails"));
            session.flush();
            throw new IllegalStateException("fails after its insert was flushed");
          }
          session.persist(new Customer(1, job.payload().email(), "Ok"));
          session.find(Customer.class, 7L).visits = 1;
          return Outcome.done();
        });
    Set<String> events =
        changeEvents().stream().map(e -> e.kind() + " " + e.id()).collect(Collectors.toSet());
    assertEquals(Set.of("db/customers.created 1", "db/customers.updated 7"), events);
    assertEquals(2, count(table("customer")));
  }

  @Test
  void retryAfterAndDeadLetterNowCommitWithTheHandlersEntityChanges() {
    long later = welcome("later@example.com");
    long refused = welcome("refused@example.com");
    DrainReport report =
        drain(
            (job, session) -> {
              session.persist(new Team(job.id(), job.payload().email()));
              return job.id() == later
                  ? Outcome.retryAfter(Duration.ofMinutes(5))
                  : Outcome.deadLetter("refused by the domain");
            });
    assertEquals(1, report.snoozed());
    assertEquals(1, report.deadLettered());
    assertEquals(2, count(table("team")));
    assertEquals(0, attempts(later), "retry after gives the attempt back");
    DeadLetter letter = outbox.deadLetters().find(refused).get();
    assertEquals(DeadLetterReason.NON_RETRYABLE, letter.reason());
    assertEquals("refused by the domain", letter.error());
  }

  @Test
  void aDeadLetterFromAHandlerThatMarkedItsTransactionRollbackOnlyNeverExists() {
    long id = welcome("ada@example.com");
    DrainReport report =
        drain(
            (job, session) -> {
              session.persist(new Team(1, "core"));
              session.getTransaction().setRollbackOnly();
              return Outcome.deadLetter("refused by the domain");
            });
    assertEquals(1, report.retried());
    assertEquals(0, count(table("team")));
    assertEquals(0, count(jdbc.deadLetterTable()));
    assertContains(lastError(id), "MARKED_ROLLBACK", "rolled back");
  }

  @Test
  void aHandlerThatCommitsTheSessionsTransactionItselfIsRefusedAndRolledBackWithAClearError() {
    long id = welcome("ada@example.com");
    List<String> refusals = new CopyOnWriteArrayList<>();
    DrainReport report =
        drain(
            (job, session) -> {
              session.persist(new Team(1, "core"));
              try {
                session.getTransaction().commit();
              } catch (RuntimeException refused) {
                // swallowed on purpose: the library still rolls everything back
                refusals.add(String.valueOf(refused.getMessage()));
              }
              return Outcome.done();
            });
    assertEquals(1, report.retried());
    assertEquals(0, count(table("team")));
    assertEquals(1, refusals.size());
    assertContains(refusals.get(0), "must not call commit()");
    assertContains(
        lastError(id), "called commit()", "session.getTransaction().commit()", "rolled back");
  }

  @Test
  void aHandlerThatClosesItsSessionIsRefusedAndRolledBack() {
    long id = welcome("ada@example.com");
    DrainReport report =
        drain(
            (job, session) -> {
              session.persist(new Team(1, "core"));
              session.flush();
              session.close();
              return Outcome.done();
            });
    assertEquals(1, report.retried());
    assertEquals(0, count(table("team")));
    assertContains(lastError(id), "closed its session", "rolled back");
  }

  @Test
  void hibernatesAfterCompletionWorkRunsAfterTheRealCommitOrRollbackAndIsToldWhich() {
    welcome("ok@example.com");
    welcome("fails@example.com");
    List<String> seen = new CopyOnWriteArrayList<>();
    drain(
        (job, session) -> {
          String email = job.payload().email();
          session.persist(new Team(job.id(), email));
          session
              .getTransaction()
              .registerSynchronization(
                  new Synchronization() {
                    @Override
                    public void beforeCompletion() {}

                    @Override
                    public void afterCompletion(int status) {
                      String visible =
                          column(
                              "SELECT COUNT(*) FROM "
                                  + table("team")
                                  + " WHERE name = '"
                                  + email
                                  + "'");
                      boolean committed = status == Status.STATUS_COMMITTED;
                      seen.add(email + (committed ? " committed, " : " not, ") + visible);
                    }
                  });
          session.flush();
          if (fails(job.payload())) {
            throw new IllegalStateException("fails after its insert was flushed");
          }
          return Outcome.done();
        });
    assertEquals(
        Set.of("ok@example.com committed, 1", "fails@example.com not, 0"), Set.copyOf(seen));
  }

  @Test
  void aSessionHandlerCanBeTheDrainersDefaultHandlerForEveryKind() {
    sessionFactory.inTransaction(
        session -> session.persist(new Customer(7, "ada@example.com", "Ada")));
    welcome("ada@example.com");
    List<String> kinds = new CopyOnWriteArrayList<>();
    try (var drainer =
        outbox
            .drainer()
            .transactionalHandler(
                outbox.transactional(
                    (job, session) -> {
                      kinds.add(job.kind());
                      session.persist(new Team(job.id(), job.kind()));
                      return Outcome.done();
                    }))
            .build()) {
      assertEquals(2, drainer.drainOnce().succeeded());
    }
    assertEquals(Set.of("SendWelcome", "db/customers.created"), Set.copyOf(kinds));
    assertEquals(2, count(table("team")));
    assertEquals(List.of(), jobs());
  }
}
