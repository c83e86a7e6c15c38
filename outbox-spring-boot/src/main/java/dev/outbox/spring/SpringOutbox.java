package dev.outbox.spring;

import dev.outbox.OutboxException;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.job.EnqueueResult;
import java.sql.Connection;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Enqueues jobs in the Spring-managed transaction of the calling thread, on the connection Spring
 * bound to it: the job commits or rolls back with the caller's other writes ({@code JdbcTemplate},
 * {@code JdbcClient}, repositories over the same {@code DataSource}). Like propagation {@code
 * MANDATORY}, it never starts a transaction of its own: outside one it refuses. After a commit that
 * enqueued, the drainer of this application is woken at once.
 *
 * <pre>{@code
 * @Transactional
 * public void signUp(String email) {
 *   users.insert(email);
 *   outbox.enqueue(new SendWelcomeEmail(email));
 * }
 * }</pre>
 *
 * <p>Thread-safe. Created by the auto-configuration; inject it as {@code SpringOutbox<ShopJob>}.
 *
 * @param <J> the sealed job root
 */
public final class SpringOutbox<J> {
  private final JdbcOutbox<J> outbox;
  private final DataSource dataSource;
  private volatile Runnable onCommit = () -> {};

  private SpringOutbox(JdbcOutbox<J> outbox, DataSource dataSource) {
    this.outbox = outbox;
    this.dataSource = dataSource;
  }

  /** An enqueue facade over {@code outbox}, whose jobs are written on {@code dataSource}. */
  public static <J> SpringOutbox<J> of(JdbcOutbox<J> outbox, DataSource dataSource) {
    return new SpringOutbox<>(
        Objects.requireNonNull(outbox, "outbox"), Objects.requireNonNull(dataSource, "dataSource"));
  }

  /**
   * Enqueues a job in the current transaction; see {@link JdbcOutbox#enqueue(Connection, Object)}.
   *
   * @throws OutboxException.EnqueueRefused outside a Spring-managed transaction, or for the reasons
   *     {@link JdbcOutbox#enqueue(Connection, Object)} gives
   */
  public EnqueueResult enqueue(J job) {
    return inCurrentTransaction(tx -> outbox.enqueue(tx, job));
  }

  /** Enqueues a job with options in the current transaction, as {@link #enqueue(Object)}. */
  public EnqueueResult enqueue(J job, EnqueueOptions options) {
    return inCurrentTransaction(tx -> outbox.enqueue(tx, job, options));
  }

  /** Enqueues many jobs in the current transaction; returns how many. */
  public int enqueueAll(Collection<? extends J> jobs) {
    return inCurrentTransaction(tx -> outbox.enqueueAll(tx, jobs));
  }

  /** Enqueues many jobs with the same options (no idempotency key) in the current transaction. */
  public int enqueueAll(Collection<? extends J> jobs, EnqueueOptions options) {
    return inCurrentTransaction(tx -> outbox.enqueueAll(tx, jobs, options));
  }

  /** The JDBC outbox underneath: dead letters, schema, the codec. */
  public JdbcOutbox<J> jdbc() {
    return outbox;
  }

  /** What runs after each commit that enqueued (the local drainer's wake-up). */
  void onCommit(Runnable onCommit) {
    this.onCommit = Objects.requireNonNull(onCommit, "onCommit");
  }

  private <T> T inCurrentTransaction(Function<Connection, T> enqueue) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new OutboxException.EnqueueRefused(
          null,
          "enqueue needs a Spring-managed transaction and none is active on this thread: call it"
              + " from a @Transactional method or inside TransactionTemplate.execute(...), so that"
              + " the job commits or rolls back with your other writes (it behaves like"
              + " propagation MANDATORY and never starts a transaction of its own)",
          null);
    }
    Connection connection = DataSourceUtils.getConnection(dataSource);
    try {
      T result = enqueue.apply(connection);
      wakeAfterCommit();
      return result;
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }

  private void wakeAfterCommit() {
    if (!TransactionSynchronizationManager.isSynchronizationActive()) {
      return;
    }
    for (TransactionSynchronization registered :
        TransactionSynchronizationManager.getSynchronizations()) {
      if (registered instanceof WakeAfterCommit wake && wake.outbox == this) {
        return;
      }
    }
    TransactionSynchronizationManager.registerSynchronization(new WakeAfterCommit(this));
  }

  /** Wakes the local drainer once per committed transaction that enqueued. */
  private static final class WakeAfterCommit implements TransactionSynchronization {
    private final SpringOutbox<?> outbox;

    WakeAfterCommit(SpringOutbox<?> outbox) {
      this.outbox = outbox;
    }

    @Override
    public void afterCommit() {
      outbox.onCommit.run();
    }
  }
}
