package dev.outbox.drain;

import dev.outbox.job.Job;
import java.sql.Connection;

/**
 * The transactional handler shape: runs inside a transaction the library opens, after it has locked
 * the job row and checked that its lease is still held. The handler's writes on {@code tx} and the
 * job's completion commit together, so effects on the same database happen exactly once.
 *
 * <p>The handler must not commit, roll back, close the connection or change its auto-commit mode:
 * doing so throws at once and the whole transaction is rolled back. Jobs enqueued on {@code tx}
 * (job chains) exist only if it commits. Any outcome other than {@link Outcome.Failed} (or a throw)
 * is applied in the same transaction as the handler's writes; a failure rolls them back and is
 * recorded in a separate short transaction.
 *
 * <p>It holds a connection and a row lock while it runs: keep it to database work, no slow remote
 * calls. Must be thread-safe.
 *
 * @param <J> the type of job this handler is registered for
 */
@FunctionalInterface
public interface TransactionalHandler<J> {

  /** Handles the job inside {@code tx}. */
  Outcome handle(Job<J> job, Connection tx) throws Exception;
}
