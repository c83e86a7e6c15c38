package dev.outbox.hibernate;

import dev.outbox.drain.Outcome;
import dev.outbox.drain.TransactionalHandler;
import dev.outbox.job.Job;
import org.hibernate.Session;

/**
 * The transactional handler shape with a Hibernate {@link Session}: the handler's entity changes,
 * their change events, the jobs it enqueues and the job's completion commit together, so its
 * effects on the database happen exactly once. Register it through {@link
 * HibernateOutbox#transactional(HibernateTransactionalHandler)}:
 *
 * <pre>{@code
 * outbox.drainer()
 *     .transactional(SendInvoice.class, outbox.transactional((job, session) -> {
 *       Invoice invoice = session.find(Invoice.class, job.payload().invoiceId());
 *       invoice.markSent();
 *       outbox.enqueue(session, new ChargeCard(invoice.getId()));
 *       return Outcome.done();
 *     }))
 *     .build();
 * }</pre>
 *
 * <p>As for every {@link TransactionalHandler}, the library opens the transaction, locks the job
 * row and checks its lease first (a job whose lease was lost is not run at all). It then opens a
 * session of the outbox's factory on that transaction's connection and begins the session's
 * transaction, so {@link HibernateOutbox#enqueue} works in it and jobs enqueued there exist only if
 * it commits. A {@code Session} is a JPA {@code EntityManager}: pass it to JPA code as it is.
 *
 * <p>When the handler returns, pending changes are flushed (unless the session's flush mode is
 * {@code MANUAL}; then flush yourself), so that a failing flush fails the job like a throw does;
 * then the library writes the outcome ({@linkplain Outcome#done() done}, {@linkplain
 * Outcome#retryAfter retry after} or {@linkplain Outcome#deadLetter(String) dead-letter now}) in
 * the same transaction and commits the session's transaction. Hibernate's before-completion work
 * (flush, synchronizations' {@code beforeCompletion}) runs inside it; its after-completion work
 * (synchronizations' {@code afterCompletion}, the second-level cache, {@linkplain
 * HibernateOutbox#wakeOnCommit waking drainers}) runs after the real commit or rollback and is told
 * which it was. The library closes the session then: entities loaded in it are detached.
 *
 * <p>A throw, {@link Outcome#failed}, a failing flush or a transaction {@linkplain
 * org.hibernate.Transaction#setRollbackOnly() marked rollback-only} rolls back everything the
 * handler wrote; the failure is recorded (attempts, backoff, dead letter) in a separate short
 * transaction. The handler must not commit, roll back or close the session, its transaction or its
 * connection ({@code session.getTransaction().commit()}, {@code doWork(c -> c.commit())}): that is
 * refused at once with an {@link dev.outbox.OutboxException}, and even if the handler swallows it
 * the whole transaction is rolled back and the failure recorded with the reason.
 *
 * <p>It holds a connection and a row lock while it runs: keep it to database work, no slow remote
 * calls. Each run gets its own session; the handler must be thread-safe.
 *
 * @param <J> the type of job this handler is registered for
 */
@FunctionalInterface
public interface HibernateTransactionalHandler<J> {

  /** Handles the job with a session in the library's transaction. */
  Outcome handle(Job<J> job, Session session) throws Exception;
}
