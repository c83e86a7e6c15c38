package dev.outbox.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.OutboxException;
import dev.outbox.hibernate.ShopJob.SendWelcome;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.job.EnqueueResult;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.hibernate.FlushMode;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.api.Test;

/** Enqueue in a Hibernate or JPA unit of work: the job commits and rolls back with the entities. */
public abstract class EnqueueContract extends HibernateTestBase {
  private static final SendWelcome ADA = new SendWelcome("ada@example.com");

  @Test
  void theJobAndTheEntitiesCommitTogetherUnderInTransaction() {
    sessionFactory.inTransaction(
        session -> {
          session.persist(new Team(1, "core"));
          outbox.enqueue(session, ADA);
        });
    assertEquals(1, count(table("team")));
    assertEquals(List.of("SendWelcome"), kinds());
  }

  @Test
  void theJobAndTheEntitiesCommitTogetherUnderAJpaEntityTransaction() {
    EntityManager entityManager = sessionFactory.createEntityManager();
    try {
      entityManager.getTransaction().begin();
      entityManager.persist(new Team(1, "core"));
      outbox.enqueue(entityManager, ADA);
      entityManager.getTransaction().commit();
    } finally {
      entityManager.close();
    }
    assertEquals(1, count(table("team")));
    assertEquals(List.of("SendWelcome"), kinds());
  }

  @Test
  void aRolledBackInTransactionLeavesNeitherTheJobNorTheEntities() {
    var failure =
        assertThrows(
            IllegalStateException.class,
            () ->
                sessionFactory.inTransaction(
                    session -> {
                      session.persist(new Team(1, "core"));
                      outbox.enqueue(session, ADA);
                      session.flush();
                      throw new IllegalStateException("signup failed");
                    }));
    assertEquals("signup failed", failure.getMessage());
    assertEquals(0, count(table("team")));
    assertEquals(List.of(), jobs());
  }

  @Test
  void aRolledBackJpaEntityTransactionLeavesNoJob() {
    EntityManager entityManager = sessionFactory.createEntityManager();
    try {
      entityManager.getTransaction().begin();
      entityManager.persist(new Team(1, "core"));
      outbox.enqueue(entityManager, ADA);
      entityManager.flush();
      entityManager.getTransaction().rollback();
    } finally {
      entityManager.close();
    }
    assertEquals(0, count(table("team")));
    assertEquals(List.of(), jobs());
  }

  @Test
  void enqueueWithoutATransactionIsRefusedWithAClearMessageAndWritesNothing() {
    try (Session session = sessionFactory.openSession()) {
      var refused =
          assertThrows(OutboxException.EnqueueRefused.class, () -> outbox.enqueue(session, ADA));
      assertContains(
          refused.getMessage(),
          "no transaction is active",
          "the job of kind 'SendWelcome'",
          "inTransaction",
          "Nothing was written");
      assertEquals("SendWelcome", refused.kind());
    }
    EntityManager entityManager = sessionFactory.createEntityManager();
    try {
      assertThrows(
          OutboxException.EnqueueRefused.class,
          () -> outbox.enqueueAll(entityManager, List.of(ADA, ADA)));
    } finally {
      entityManager.close();
    }
    assertEquals(List.of(), jobs());
  }

  @Test
  void enqueueOnAClosedSessionIsRefused() {
    Session session = sessionFactory.openSession();
    session.close();
    var refused =
        assertThrows(OutboxException.EnqueueRefused.class, () -> outbox.enqueue(session, ADA));
    assertContains(refused.getMessage(), "closed");
    assertEquals(List.of(), jobs());
  }

  @Test
  void enqueueAllWritesEveryJobInTheSessionsTransaction() {
    List<SendWelcome> welcomes =
        List.of(new SendWelcome("a@x"), new SendWelcome("b@x"), new SendWelcome("c@x"));
    sessionFactory.inTransaction(session -> outbox.enqueueAll(session, welcomes));
    assertThrows(
        IllegalStateException.class,
        () ->
            sessionFactory.inTransaction(
                session -> {
                  outbox.enqueueAll(session, welcomes);
                  throw new IllegalStateException("rolled back");
                }));
    assertEquals(3, jobs().size());
  }

  @Test
  void anIdempotencyKeyStoresOneJobAndTheTransactionStaysUsable() {
    EnqueueOptions once = EnqueueOptions.defaults().withIdempotencyKey("welcome-ada");
    sessionFactory.inTransaction(session -> outbox.enqueue(session, ADA, once));
    sessionFactory.inTransaction(
        session -> {
          EnqueueResult again = outbox.enqueueNow(session, ADA, once);
          assertFalse(again.stored());
          session.persist(new Team(2, "still usable"));
        });
    sessionFactory.inTransaction(
        session -> {
          outbox.enqueue(session, ADA, once);
          outbox.enqueue(session, ADA, once);
          session.persist(new Team(3, "held duplicates are skipped at the flush"));
        });
    assertEquals(1, jobs().size());
    assertEquals(2, count(table("team")));
  }

  @Test
  void aHeldJobIsWrittenAtTheSessionsNextFlushAsAPersistedEntityIs() {
    sessionFactory.inTransaction(
        session -> {
          outbox.enqueue(session, ADA);
          assertEquals(0, jobRowsSeenBy(session), "held until the flush");
          session.flush();
          assertEquals(1, jobRowsSeenBy(session), "written by the flush");
        });
    assertEquals(List.of("SendWelcome"), kinds());
  }

  @Test
  void aNativeQueryInTheTransactionSeesTheHeldJobsAfterTheAutomaticFlush() {
    sessionFactory.inTransaction(
        session -> {
          outbox.enqueue(session, ADA);
          Object seen =
              session
                  .createNativeQuery("SELECT COUNT(*) FROM " + jdbc.jobTable())
                  .getSingleResult();
          assertEquals(1, ((Number) seen).intValue());
        });
  }

  @Test
  void twoOutboxesOnOneFactoryEachWriteTheJobsTheyHold() {
    JdbcOutbox<ShopJob> second = jdbcOutbox("_second");
    second.createSchemaIfMissing();
    try (SessionFactory teams = teamsOnly()) {
      HibernateOutbox<ShopJob> first = HibernateOutbox.builder(jdbc, teams).build();
      HibernateOutbox<ShopJob> other = HibernateOutbox.builder(second, teams).build();
      teams.inTransaction(
          session -> {
            session.persist(new Team(7, "both"));
            first.enqueue(session, ADA);
            other.enqueue(session, new SendWelcome("b@x"));
            other.enqueue(session, new SendWelcome("c@x"));
          });
      assertEquals(1, jobs().size());
      assertEquals(2, count(second.jobTable()));
    } finally {
      TestDatabase.drop(dataSource, second.jobTable(), second.deadLetterTable());
    }
  }

  @Test
  void withFlushModeManualTheHeldJobsAreStillWrittenBeforeTheCommit() {
    sessionFactory.inTransaction(
        session -> {
          session.setHibernateFlushMode(FlushMode.MANUAL);
          outbox.enqueue(session, ADA);
          outbox.enqueueAll(session, List.of(new SendWelcome("b@x"), new SendWelcome("c@x")));
        });
    assertEquals(3, jobs().size());
  }

  @Test
  void heldJobsWithMixedOptionsAreWrittenWithTheirOwnOptionsInTheOrderEnqueued() {
    sessionFactory.inTransaction(
        session -> {
          outbox.enqueue(session, new SendWelcome("1@x"));
          outbox.enqueue(
              session, new SendWelcome("2@x"), EnqueueOptions.defaults().withOrderingKey("team-1"));
          outbox.enqueue(
              session, new SendWelcome("3@x"), EnqueueOptions.defaults().withOrderingKey("team-2"));
          outbox.enqueue(
              session,
              new SendWelcome("4@x"),
              EnqueueOptions.defaults().withIdempotencyKey("four"));
          outbox.enqueueAll(session, List.of(new SendWelcome("5@x"), new SendWelcome("6@x")));
          outbox.enqueue(
              session,
              new SendWelcome("7@x"),
              EnqueueOptions.defaults().withDelay(Duration.ofHours(1)));
        });
    List<StoredJob> stored = jobs();
    assertEquals(
        List.of("1@x", "2@x", "3@x", "4@x", "5@x", "6@x", "7@x"),
        stored.stream().map(job -> emailOf(job)).toList());
    assertEquals(
        Arrays.asList(null, "team-1", "team-2", null, null, null, null),
        stored.stream().map(StoredJob::orderingKey).toList());
    assertEquals(1, count(jdbc.jobTable() + " WHERE idempotency_key = 'four'"));
    assertEquals(1, count(jdbc.jobTable() + " WHERE run_at > created_at + 3000000"));
  }

  @Test
  void enqueueNowWritesTheHeldJobsFirstAndReturnsTheNewId() {
    long id =
        sessionFactory.fromTransaction(
            session -> {
              outbox.enqueue(session, new SendWelcome("held@x"));
              EnqueueResult now = outbox.enqueueNow(session, new SendWelcome("now@x"));
              return assertInstanceOf(EnqueueResult.Stored.class, now).id();
            });
    List<StoredJob> stored = jobs();
    assertEquals(List.of("held@x", "now@x"), stored.stream().map(job -> emailOf(job)).toList());
    assertEquals(id, stored.get(1).id());
  }

  @Test
  void aRolledBackTransactionDropsItsHeldJobsAndTheSessionsNextTransactionDoesNotWriteThem() {
    EntityManager entityManager = sessionFactory.createEntityManager();
    try {
      entityManager.getTransaction().begin();
      outbox.enqueue(entityManager, ADA);
      entityManager.getTransaction().rollback();
      entityManager.getTransaction().begin();
      entityManager.persist(new Team(4, "next"));
      entityManager.getTransaction().commit();
    } finally {
      entityManager.close();
    }
    assertEquals(1, count(table("team")));
    assertEquals(List.of(), jobs());
  }

  @Test
  void aHeldJobThatCannotBeWrittenFailsTheCommitAndNothingCommits() {
    JdbcOutbox<ShopJob> missing = jdbcOutbox("_no_such");
    try (SessionFactory other = teamsOnly()) {
      HibernateOutbox<ShopJob> broken = HibernateOutbox.builder(missing, other).build();
      RuntimeException failure =
          assertThrows(
              RuntimeException.class,
              () ->
                  other.inTransaction(
                      session -> {
                        session.persist(new Team(5, "must not commit alone"));
                        broken.enqueue(session, ADA);
                      }));
      assertContains(messages(failure), "_no_such_job", "The table does not exist");
      assertEquals(0, count(table("team")));
    }
  }

  @Test
  void aFailedWriteAtAnExplicitFlushMarksTheTransactionRollbackOnlySoTheEntitiesDoNotCommitAlone() {
    JdbcOutbox<ShopJob> missing = jdbcOutbox("_no_such");
    try (SessionFactory other = teamsOnly()) {
      HibernateOutbox<ShopJob> broken = HibernateOutbox.builder(missing, other).build();
      EntityManager entityManager = other.createEntityManager();
      try {
        entityManager.getTransaction().begin();
        entityManager.persist(new Team(6, "must not commit alone"));
        broken.enqueue(entityManager, ADA);
        RuntimeException atFlush = assertThrows(RuntimeException.class, entityManager::flush);
        assertContains(messages(atFlush), "The table does not exist");
        assertTrue(entityManager.getTransaction().getRollbackOnly());
        try {
          entityManager.getTransaction().commit(); // rolls back: rollback-only
        } catch (RuntimeException expected) {
          // JPA's RollbackException, where Hibernate is set to throw it
        }
      } finally {
        entityManager.close();
      }
      assertEquals(0, count(table("team")));
    }
  }

  /** A JDBC outbox over this test's pool, its tables named with {@code suffix}; not created. */
  private JdbcOutbox<ShopJob> jdbcOutbox(String suffix) {
    return JdbcOutbox.builder(dataSource, ShopJob.class)
        .jobTable(prefix + suffix + "_job")
        .deadLetterTable(prefix + suffix + "_dead")
        .build();
  }

  /**
   * A second factory over the test's tables, mapping only {@link Team} (no change events, so that
   * outboxes may share it); it creates and drops nothing.
   */
  private SessionFactory teamsOnly() {
    return new HibernatePersistenceConfiguration("teams-only-" + prefix)
        .managedClasses(Team.class)
        .property("hibernate.connection.datasource", dataSource)
        .property("hibernate.physical_naming_strategy", new PrefixedNames(prefix))
        .createEntityManagerFactory();
  }

  /** The job rows the session's own transaction sees, read on its connection. */
  private long jobRowsSeenBy(Session session) {
    return session.doReturningWork(
        connection -> {
          try (var statement =
                  connection.prepareStatement("SELECT COUNT(*) FROM " + jdbc.jobTable());
              var result = statement.executeQuery()) {
            result.next();
            return result.getLong(1);
          }
        });
  }

  private String emailOf(StoredJob job) {
    return ((SendWelcome) jdbc.codec().parse(job.kind(), job.payload()).get()).email();
  }

  /** The messages of {@code failure} and its causes, one per line. */
  private static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  @Test
  void aJobThatIsNotALeafIsRefusedAlsoAmongManyAndNoneIsHeldAndTheTransactionCanStillCommit() {
    sessionFactory.inTransaction(
        session -> {
          @SuppressWarnings({"unchecked", "rawtypes"})
          HibernateOutbox<Object> untyped = (HibernateOutbox) outbox;
          var refused =
              assertThrows(
                  OutboxException.EnqueueRefused.class,
                  () -> untyped.enqueue(session, "not a job"));
          assertContains(refused.getMessage(), "is not a leaf of");
          assertThrows(
              OutboxException.EnqueueRefused.class,
              () -> untyped.enqueueAll(session, List.of(ADA, "not a job", ADA)));
          session.persist(new Team(3, "kept"));
        });
    assertEquals(1, count(table("team")));
    assertTrue(jobs().isEmpty());
  }
}
