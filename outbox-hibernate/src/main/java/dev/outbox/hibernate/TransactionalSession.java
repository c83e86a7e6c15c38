package dev.outbox.hibernate;

import dev.outbox.OutboxException;
import dev.outbox.drain.Outcome;
import dev.outbox.drain.TransactionalHandler;
import dev.outbox.jdbc.internal.GuardedConnection;
import dev.outbox.job.Job;
import java.sql.Connection;
import org.hibernate.FlushMode;
import org.hibernate.Session;
import org.hibernate.Transaction;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.resource.transaction.spi.TransactionCoordinatorBuilder;
import org.hibernate.resource.transaction.spi.TransactionStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link HibernateTransactionalHandler} as the drainer's {@link TransactionalHandler}: a
 * session on the library's guarded connection, whose transaction the library ends through {@link
 * SessionCompletion} where it would commit or roll back itself.
 *
 * <p>What Hibernate ORM 7 does with a connection supplied to {@code openSession()}: it reads {@code
 * getAutoCommit()} on opening; {@code begin()} calls {@code setAutoCommit(false)}, which the
 * guarded connection lets through as the no-op it is; {@code commit()} runs the before-completion
 * work, calls {@code commit()} on the connection, then the after-completion work; {@code
 * rollback()} calls {@code rollback()}; {@code close()} leaves the connection alone. The guarded
 * connection refuses the connection's {@code commit()} and {@code rollback()} except while the
 * library ends the transaction through the session.
 */
final class TransactionalSession<J> implements TransactionalHandler<J> {
  private final SessionFactoryImplementor factory;
  private final HibernateTransactionalHandler<J> handler;

  private TransactionalSession(
      SessionFactoryImplementor factory, HibernateTransactionalHandler<J> handler) {
    this.factory = factory;
    this.handler = handler;
  }

  /**
   * The adapter of {@code handler} on sessions of {@code factory}.
   *
   * @throws OutboxException.Misconfigured if the factory runs its transactions with JTA
   */
  static <J> TransactionalSession<J> of(
      SessionFactoryImplementor factory, HibernateTransactionalHandler<J> handler) {
    if (factory.getServiceRegistry().requireService(TransactionCoordinatorBuilder.class).isJta()) {
      throw new OutboxException.Misconfigured(
          "Hibernate transactional handlers need the JDBC transaction coordinator (the default);"
              + " this SessionFactory uses JTA, whose transactions cannot join the drainer's JDBC"
              + " transaction. Use a JDBC transactional handler with outbox.enqueue(connection,"
              + " ...) instead");
    }
    return new TransactionalSession<>(factory, handler);
  }

  @Override
  public Outcome handle(Job<J> job, Connection tx) throws Exception {
    GuardedConnection guard =
        GuardedConnection.of(tx)
            .getOrElseThrow(
                () ->
                    new OutboxException.Misconfigured(
                        "a Hibernate transactional handler runs only in the transaction of an"
                            + " outbox drainer: register hibernateOutbox.transactional(handler)"
                            + " with drainer().transactional(Leaf.class, ...) or"
                            + " transactionalHandler(...)"));
    Session session = factory.withOptions().connection(tx).openSession();
    SessionCompletion completion = new SessionCompletion(session, job.id());
    try {
      guard.completeWith(completion);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
    session.getTransaction().begin();
    Outcome outcome = handler.handle(job, session);
    requireUntouched(session, guard);
    // A failure is rolled back anyway; flush only what is to commit, as Hibernate's commit would.
    if (!(outcome instanceof Outcome.Failed)
        && session.getHibernateFlushMode() != FlushMode.MANUAL) {
      session.flush();
    }
    return outcome;
  }

  /** Refuses to complete a transaction the handler ended, closed or marked rollback-only. */
  private static void requireUntouched(Session session, GuardedConnection guard) {
    String forbidden =
        ", which the library forbids: it commits the session's transaction together with the"
            + " job's completion, then closes the session. The handler's writes were rolled back;"
            + " return an Outcome or throw instead.";
    if (guard.misuse() != null) {
      throw new OutboxException(
          "the Hibernate transactional handler called "
              + guard.misuse()
              + " on its session's connection (session.getTransaction().commit() and rollback()"
              + " end up there)"
              + forbidden);
    }
    if (!session.isOpen()) {
      throw new OutboxException(
          "the Hibernate transactional handler closed its session" + forbidden);
    }
    TransactionStatus status = session.getTransaction().getStatus();
    if (status != TransactionStatus.ACTIVE) {
      throw new OutboxException(
          "the Hibernate transactional handler left its session's transaction "
              + status
              + " (setRollbackOnly(), or a Hibernate exception it caught), so its writes were"
              + " rolled back and the job failed; to give up on a job, throw or return an"
              + " Outcome.");
    }
  }

  /** Ends the session's transaction for the library, then closes the session. Single use. */
  private static final class SessionCompletion implements GuardedConnection.Completion {
    private static final Logger log = LoggerFactory.getLogger(TransactionalSession.class);

    private final Session session;
    private final long jobId;
    private boolean ended;

    SessionCompletion(Session session, long jobId) {
      this.session = session;
      this.jobId = jobId;
    }

    @Override
    public void commit() {
      ended = true;
      Transaction transaction = session.getTransaction();
      try {
        transaction.commit();
      } catch (RuntimeException e) {
        if (transaction.getStatus() != TransactionStatus.COMMITTED) {
          throw e;
        }
        // Committed: only after-completion work failed, and the job's effects are in.
        log.warn("Hibernate's after-completion work failed after job {} committed", jobId, e);
      } finally {
        session.close();
      }
    }

    @Override
    public void rollback() {
      if (ended) {
        return;
      }
      ended = true;
      try {
        Transaction transaction = session.getTransaction();
        if (transaction.getStatus().canRollback()) {
          transaction.rollback();
        }
      } finally {
        if (session.isOpen()) {
          session.close();
        }
      }
    }
  }
}
