package dev.outbox.hibernate.internal;

import dev.outbox.OutboxException;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.util.Objects;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/** Turns what the user holds into Hibernate's session and checks its transaction. Internal. */
public final class Sessions {
  private Sessions() {}

  /**
   * The Hibernate session behind a {@code Session} or a JPA {@code EntityManager} (also a
   * container's or Spring's shared proxy, which unwraps to the session of the current transaction).
   *
   * @throws OutboxException.EnqueueRefused if it is not backed by Hibernate ORM
   */
  public static SharedSessionContractImplementor unwrap(EntityManager entityManager) {
    Objects.requireNonNull(entityManager, "entityManager");
    if (!entityManager.isOpen()) {
      throw new OutboxException.EnqueueRefused(
          null,
          "the Session/EntityManager is closed; enqueue inside the unit of work that writes your"
              + " entities. Nothing was written.",
          null);
    }
    // Always unwrap, even a Session: a shared proxy (Spring, Jakarta EE) may itself implement the
    // session interfaces, but only unwrap() reaches the session of the current transaction.
    try {
      return entityManager.unwrap(SharedSessionContractImplementor.class);
    } catch (PersistenceException | IllegalStateException e) {
      throw new OutboxException.EnqueueRefused(
          null,
          "this EntityManager ("
              + entityManager.getClass().getName()
              + ") could not be unwrapped to a Hibernate session: "
              + e.getMessage()
              + ". The Hibernate outbox needs Hibernate ORM 7 as the JPA provider, and a shared"
              + " EntityManager proxy must be used inside a transaction. Nothing was written.",
          e);
    }
  }

  /**
   * Refuses to go on unless the session is open and in an active transaction (resource-local or
   * JTA), so that nothing it writes can commit on its own.
   *
   * @param what what would be written, for the message ("the job of kind 'X'")
   * @throws OutboxException.EnqueueRefused naming what was refused and how to open a transaction
   */
  public static void requireTransaction(
      SharedSessionContractImplementor session, String kind, String what) {
    if (session.isClosed()) {
      throw new OutboxException.EnqueueRefused(
          kind,
          "the Session/EntityManager is closed, so "
              + what
              + " cannot be written; enqueue inside the unit of work that writes your entities."
              + " Nothing was written.",
          null);
    }
    if (!session.isTransactionInProgress()) {
      throw new OutboxException.EnqueueRefused(
          kind,
          "no transaction is active on this Session/EntityManager, so "
              + what
              + " would not commit together with your entities. Enqueue inside a transaction:"
              + " sessionFactory.inTransaction(session -> ...), entityManager.getTransaction()"
              + ".begin() ... commit(), or a JTA or Spring @Transactional method (with an"
              + " application-managed EntityManager under JTA, call joinTransaction() first)."
              + " Nothing was written.",
          null);
    }
  }
}
