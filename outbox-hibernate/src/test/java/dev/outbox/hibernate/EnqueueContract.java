package dev.outbox.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.OutboxException;
import dev.outbox.hibernate.ShopJob.SendWelcome;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.job.EnqueueResult;
import jakarta.persistence.EntityManager;
import java.util.List;
import org.hibernate.Session;
import org.junit.jupiter.api.Test;

/** Enqueue in a Hibernate or JPA unit of work: the job commits and rolls back with the entities. */
public abstract class EnqueueContract extends HibernateTestBase {
  private static final SendWelcome ADA = new SendWelcome("ada@example.com");

  @Test
  void theJobAndTheEntitiesCommitTogetherUnderInTransaction() {
    sessionFactory.inTransaction(
        session -> {
          session.persist(new Team(1, "core"));
          EnqueueResult result = outbox.enqueue(session, ADA);
          assertInstanceOf(EnqueueResult.Stored.class, result);
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
    int stored = sessionFactory.fromTransaction(session -> outbox.enqueueAll(session, welcomes));
    assertEquals(3, stored);
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
          EnqueueResult again = outbox.enqueue(session, ADA, once);
          assertFalse(again.stored());
          session.persist(new Team(2, "still usable"));
        });
    assertEquals(1, jobs().size());
    assertEquals(1, count(table("team")));
  }

  @Test
  void aJobThatIsNotALeafIsRefusedAndTheTransactionCanStillCommit() {
    sessionFactory.inTransaction(
        session -> {
          @SuppressWarnings({"unchecked", "rawtypes"})
          HibernateOutbox<Object> untyped = (HibernateOutbox) outbox;
          var refused =
              assertThrows(
                  OutboxException.EnqueueRefused.class,
                  () -> untyped.enqueue(session, "not a job"));
          assertContains(refused.getMessage(), "is not a leaf of");
          session.persist(new Team(3, "kept"));
        });
    assertEquals(1, count(table("team")));
    assertTrue(jobs().isEmpty());
  }
}
