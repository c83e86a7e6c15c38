package dev.outbox.hibernate.internal;

import dev.outbox.jdbc.internal.Enqueuer;
import dev.outbox.job.EnqueueOptions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.engine.spi.TransactionCompletionCallbacks;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.AutoFlushEvent;
import org.hibernate.event.spi.AutoFlushEventListener;
import org.hibernate.event.spi.EventType;
import org.hibernate.event.spi.FlushEvent;
import org.hibernate.event.spi.FlushEventListener;

/**
 * The jobs a session's transaction enqueued and has not written yet, as Hibernate holds the
 * entities it persists: checked and encoded at the call, written on the session's connection at the
 * end of each flush (an explicit one, the automatic one before a query, the one at commit) in as
 * few statements as their options allow, and at the latest just before the transaction completes,
 * so that {@code FlushMode.MANUAL} loses none. A rollback drops them. A write that fails marks the
 * transaction rollback-only: it cannot commit without its jobs. Thread-safe. Internal.
 *
 * @param <J> the sealed job root
 */
public final class HeldJobs<J> {
  private final Enqueuer<J> enqueuer;
  private final CommitWaker waker;

  // Sessions with a transaction that held jobs, until it completes. Weak: a session dropped without
  // completing its transaction must not be kept alive here.
  private final Map<SharedSessionContractImplementor, List<Enqueuer.Held>> held =
      Collections.synchronizedMap(new WeakHashMap<>());

  private HeldJobs(Enqueuer<J> enqueuer, CommitWaker waker) {
    this.enqueuer = enqueuer;
    this.waker = waker;
  }

  /**
   * Makes the factory's sessions write the jobs held here at the end of each flush: through the
   * factory's one {@link Writer}, appended to its flush listeners by the first outbox built on it.
   */
  public static <J> HeldJobs<J> install(
      SessionFactoryImplementor factory, Enqueuer<J> enqueuer, CommitWaker waker) {
    HeldJobs<J> jobs = new HeldJobs<>(enqueuer, waker);
    EventListenerRegistry registry = factory.getEventListenerRegistry();
    synchronized (registry) {
      Writer writer = null;
      for (FlushEventListener existing :
          registry.getEventListenerGroup(EventType.FLUSH).listeners()) {
        if (existing instanceof Writer found) {
          writer = found;
        }
      }
      if (writer == null) {
        writer = new Writer();
        registry.appendListeners(EventType.FLUSH, writer);
        registry.appendListeners(EventType.AUTO_FLUSH, writer);
      }
      writer.outboxes.add(jobs);
    }
    return jobs;
  }

  /**
   * Checks and encodes the job now and holds it in the session's transaction (which the caller has
   * checked is active).
   *
   * @throws dev.outbox.OutboxException.EnqueueRefused as {@link Enqueuer#hold}; nothing is held
   */
  public void hold(SharedSessionContractImplementor session, J job, EnqueueOptions options) {
    add(session, List.of(enqueuer.hold(job, options)));
  }

  /**
   * Checks and encodes every job, then holds them all; if one is refused, none is held.
   *
   * @throws dev.outbox.OutboxException.EnqueueRefused as {@link Enqueuer#hold}; nothing is held
   */
  public void holdAll(
      SharedSessionContractImplementor session,
      Collection<? extends J> jobs,
      EnqueueOptions options) {
    add(session, enqueuer.holdAll(jobs, options));
  }

  private void add(SharedSessionContractImplementor session, List<Enqueuer.Held> checked) {
    List<Enqueuer.Held> jobs = held.get(session);
    if (jobs == null) {
      jobs = new ArrayList<>();
      held.put(session, jobs);
      TransactionCompletionCallbacks callbacks = session.getTransactionCompletionCallbacks();
      callbacks.registerCallback(
          (TransactionCompletionCallbacks.BeforeCompletionCallback) this::write);
      callbacks.registerCallback(
          (TransactionCompletionCallbacks.AfterCompletionCallback)
              (committed, completed) -> held.remove(session));
    }
    jobs.addAll(checked);
  }

  /** Writes the jobs the session holds, if any, in one go; then it holds none. */
  public void write(SharedSessionContractImplementor session) {
    List<Enqueuer.Held> jobs = held.get(session);
    if (jobs == null || jobs.isEmpty()) {
      return;
    }
    List<Enqueuer.Held> writing = List.copyOf(jobs);
    jobs.clear();
    int stored;
    try {
      stored = session.doReturningWork(connection -> enqueuer.writeHeld(connection, writing));
    } catch (RuntimeException e) {
      session.markForRollbackOnly();
      throw e;
    }
    if (stored > 0) {
      waker.armFor(session);
    }
  }

  /**
   * The flush listener of a factory: after Hibernate's own, writes what each outbox built on the
   * factory holds for the flushing session. One per factory, since Hibernate refuses two listeners
   * of one class.
   */
  private static final class Writer implements FlushEventListener, AutoFlushEventListener {
    private final List<HeldJobs<?>> outboxes = new CopyOnWriteArrayList<>();

    @Override
    public void onFlush(FlushEvent event) {
      for (HeldJobs<?> jobs : outboxes) {
        jobs.write(event.getSession());
      }
    }

    @Override
    public void onAutoFlush(AutoFlushEvent event) {
      onFlush(event);
    }
  }
}
