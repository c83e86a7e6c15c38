package dev.outbox.hibernate;

import dev.outbox.OutboxException;
import dev.outbox.deadletter.DeadLetters;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.drain.TransactionalHandler;
import dev.outbox.hibernate.internal.ChangeEventListener;
import dev.outbox.hibernate.internal.CommitWaker;
import dev.outbox.hibernate.internal.HeldJobs;
import dev.outbox.hibernate.internal.Sessions;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.jdbc.internal.Enqueuer;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.job.EnqueueResult;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * The outbox inside Hibernate ORM and Jakarta Persistence units of work: enqueue jobs in the
 * session's transaction, wake drainers when it commits, and turn entity writes into change events.
 *
 * <pre>{@code
 * JdbcOutbox<ShopJob> jdbc = JdbcOutbox.builder(dataSource, ShopJob.class).build();
 * HibernateOutbox<ShopJob> outbox = HibernateOutbox.builder(jdbc, sessionFactory).build();
 * sessionFactory.inTransaction(session -> {
 *   session.persist(order);
 *   outbox.enqueue(session, new ChargeCard(order.getId()));
 * });
 * }</pre>
 *
 * <h2>Enqueue</h2>
 *
 * The job rows are written with the JDBC outbox's SQL on the session's own JDBC connection, so they
 * commit or roll back with the entities whoever manages the transaction: {@code
 * sessionFactory.inTransaction}, a resource-local {@code EntityTransaction}, JTA, or Spring's
 * transaction managers. Outside an active transaction enqueue is refused and nothing is held.
 *
 * <p>{@link #enqueue(EntityManager, Object)} treats a job as {@code persist} treats an entity: it
 * checks and encodes the job at once (a job that is no leaf, will not serialize or is too big is
 * refused at the call), holds it in the session, and writes it at the end of the session's next
 * flush: {@code flush()}, the automatic flush before a query (a native query included), or the
 * flush at commit. The jobs held by then go in one statement where their options allow (one JDBC
 * batch otherwise), their ids ascending in the order enqueued. Even under {@code FlushMode.MANUAL}
 * they are written just before the commit. A rollback drops them. If writing them fails, the
 * transaction is marked rollback-only: your entities never commit without their jobs. Enqueue does
 * not flush your entities: the job is an independent row (no foreign key to them), so whether it is
 * written before or after them makes no difference to what commits, and handlers run only after the
 * commit. To read the job's id, or learn whether its idempotency key was a duplicate, use {@link
 * #enqueueNow(EntityManager, Object)}, which writes at once (after the held jobs). A plain JDBC
 * read through {@code doWork} sees held jobs only after a flush.
 *
 * <h2>Prompt draining</h2>
 *
 * {@link #wakeOnCommit(Drainer)} registers a drainer of this JVM to be {@linkplain Drainer#wake()
 * woken} right after a transaction that enqueued jobs (or change events) through this outbox
 * commits. A rollback wakes nothing. Polling stays the guarantee; waking only saves the wait.
 *
 * <h2>Change events</h2>
 *
 * Entities annotated {@link ChangeEvents} (or registered with {@link Builder#changeEvents(Class)})
 * produce, in the same flush, a job of kind {@code db/<table>.created|updated|deleted} for each
 * insert, update and delete, with ordering key {@code db/<table>/<id>} so that the events of a row
 * are handled one at a time in order. The job hierarchy receives them through a leaf declared with
 * {@code @JobKind(value = "db/", prefix = true)}; the payload has the fields {@code kind}, {@code
 * table}, {@code action} ({@code created}, {@code updated} or {@code deleted}), {@code id} (text),
 * {@code state} (every property except collections, as plain JSON values; references to entities as
 * their ids; for a delete the last state), {@code changed} (the properties an update changed) and
 * {@code previous} (their old values, when Hibernate knows them). A leaf may declare any of these
 * as components:
 *
 * <pre>{@code
 * @JobKind(value = "db/", prefix = true)
 * record EntityChanged(String kind, String table, String action, String id,
 *     Map<String, Object> state, List<String> changed) implements ShopJob {}
 * }</pre>
 *
 * <p><b>Loop risk:</b> a handler that writes an entity with change events produces a new event, and
 * if that event's handler writes it again, the loop never ends. Check {@code changed} to skip your
 * own writes, or make those writes inside {@link #withoutChangeEvents(EntityManager, Runnable)}.
 * Bulk HQL/SQL statements and collection-only changes produce no events.
 *
 * <h2>Transactional handlers</h2>
 *
 * {@link #transactional(HibernateTransactionalHandler)} runs a handler with a session in the
 * drainer's transaction: its entity changes commit together with the job's completion.
 *
 * <p>Thread-safe; build one per {@code SessionFactory}.
 *
 * @param <J> the sealed job root
 */
public final class HibernateOutbox<J> {
  private final JdbcOutbox<J> jdbc;
  private final SessionFactoryImplementor factory;
  private final CommitWaker waker;
  private final HeldJobs<J> held;
  private final ChangeEventListener<J> changeEvents;

  private HibernateOutbox(
      JdbcOutbox<J> jdbc,
      SessionFactoryImplementor factory,
      CommitWaker waker,
      HeldJobs<J> held,
      ChangeEventListener<J> events) {
    this.jdbc = jdbc;
    this.factory = factory;
    this.waker = waker;
    this.held = held;
    this.changeEvents = events;
  }

  /**
   * Starts configuring the outbox of {@code factory} (a Hibernate {@code SessionFactory}, or a JPA
   * {@code EntityManagerFactory} whose provider is Hibernate ORM), over the tables of {@code jdbc}.
   */
  public static <J> Builder<J> builder(JdbcOutbox<J> jdbc, EntityManagerFactory factory) {
    return new Builder<>(
        Objects.requireNonNull(jdbc, "jdbc"), Objects.requireNonNull(factory, "factory"));
  }

  /**
   * Enqueues a job in the transaction of {@code session} (a Hibernate {@code Session} is an {@code
   * EntityManager}: pass either), as {@code persist} does an entity: the job is checked and encoded
   * now, and its row is written at the end of the session's next flush, together with the other
   * jobs held by then, in one statement where their options allow. Neither flushes, commits nor
   * rolls back anything. See "Enqueue" above for when the row is written.
   *
   * @throws OutboxException.EnqueueRefused if no transaction is active, the session is closed or
   *     not Hibernate's, or the job is no leaf, cannot be serialized or is too big; then nothing is
   *     held and your transaction is as it was
   */
  public void enqueue(EntityManager session, J job) {
    enqueue(session, job, EnqueueOptions.defaults());
  }

  /**
   * Enqueues a job with options (delay or run-at, ordering key, idempotency key); as above. A job
   * whose idempotency key is already in the table is skipped when written; to learn whether it was,
   * use {@link #enqueueNow(EntityManager, Object, EnqueueOptions)}.
   */
  public void enqueue(EntityManager session, J job, EnqueueOptions options) {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(options, "options");
    held.hold(inTransaction(session, job), job, options);
  }

  /**
   * Enqueues a job and writes its row at once, after the jobs the session holds: for a caller that
   * needs the id, or to know whether an idempotency key was a duplicate. One round trip per call.
   *
   * @return {@link EnqueueResult.Stored} with the new id, or {@link EnqueueResult.Deduplicated}
   * @throws OutboxException.EnqueueRefused as {@link #enqueue(EntityManager, Object)}, or if the
   *     insert fails (see {@link JdbcOutbox#enqueue})
   */
  public EnqueueResult enqueueNow(EntityManager session, J job) {
    return enqueueNow(session, job, EnqueueOptions.defaults());
  }

  /** Enqueues a job with options and writes it at once; as above. */
  public EnqueueResult enqueueNow(EntityManager session, J job, EnqueueOptions options) {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(options, "options");
    SharedSessionContractImplementor hibernate = inTransaction(session, job);
    held.write(hibernate);
    EnqueueResult result =
        hibernate.doReturningWork(connection -> jdbc.enqueue(connection, job, options));
    if (result.stored()) {
      waker.armFor(hibernate);
    }
    return result;
  }

  /**
   * Enqueues many jobs in the session's transaction, held and written as {@link
   * #enqueue(EntityManager, Object)}'s (on PostgreSQL in one statement per 1,000), their ids
   * ascending in the given order. Every job is checked before any is held: if one is refused, none
   * is.
   */
  public void enqueueAll(EntityManager session, Collection<? extends J> jobs) {
    enqueueAll(session, jobs, EnqueueOptions.defaults());
  }

  /**
   * Enqueues many jobs with the same options (no idempotency key); as above.
   *
   * @throws IllegalArgumentException if the options carry an idempotency key
   */
  public void enqueueAll(
      EntityManager session, Collection<? extends J> jobs, EnqueueOptions options) {
    Objects.requireNonNull(jobs, "jobs");
    Objects.requireNonNull(options, "options");
    Enqueuer.requireNoIdempotencyKey(options);
    if (jobs.isEmpty()) {
      return;
    }
    held.holdAll(inTransaction(session, jobs.iterator().next()), jobs, options);
  }

  /**
   * Wakes {@code drainer} right after each commit of a transaction that enqueued through this
   * outbox. Registering twice is the same as once. A closed drainer ignores the wake.
   */
  public void wakeOnCommit(Drainer<?> drainer) {
    waker.add(drainer);
  }

  /** Stops waking {@code drainer} on commit. */
  public void stopWaking(Drainer<?> drainer) {
    waker.remove(drainer);
  }

  /**
   * Runs {@code work} so that the entity changes it makes in {@code session} produce no change
   * events. Pending changes made before are flushed first (with their events); the changes of
   * {@code work} are flushed before it returns. Other sessions are not affected. Needs an active
   * transaction, as a flush does.
   *
   * @throws OutboxException.EnqueueRefused if no transaction is active
   */
  public <T> T withoutChangeEvents(EntityManager session, Supplier<T> work) {
    Objects.requireNonNull(work, "work");
    SharedSessionContractImplementor hibernate = Sessions.unwrap(session);
    Sessions.requireTransaction(hibernate, null, "the changes made without change events");
    session.flush();
    boolean suppressedHere = changeEvents.suppress(hibernate);
    try {
      T result = work.get();
      session.flush();
      return result;
    } finally {
      if (suppressedHere) {
        changeEvents.resume(hibernate);
      }
    }
  }

  /** As {@link #withoutChangeEvents(EntityManager, Supplier)}, for work without a result. */
  public void withoutChangeEvents(EntityManager session, Runnable work) {
    Objects.requireNonNull(work, "work");
    withoutChangeEvents(
        session,
        () -> {
          work.run();
          return null;
        });
  }

  /** Entity name → the name in its change events' kinds, for every opted-in entity. */
  public Map<String, String> changeEventNames() {
    return changeEvents.names();
  }

  /**
   * Turns a handler that works with a {@code Session} into the drainer's transactional shape: pass
   * the result to {@code drainer().transactional(Leaf.class, ...)} or {@code
   * transactionalHandler(...)}. See {@link HibernateTransactionalHandler} for the contract.
   *
   * @throws OutboxException.Misconfigured if the factory runs its transactions with JTA
   */
  public <L extends J> TransactionalHandler<L> transactional(
      HibernateTransactionalHandler<L> handler) {
    return TransactionalSession.of(factory, Objects.requireNonNull(handler, "handler"));
  }

  /** Starts configuring a drainer over this outbox's tables (then see {@link #wakeOnCommit}). */
  public DrainerBuilder<J> drainer() {
    return jdbc.drainer();
  }

  /**
   * The dead-letter table: list, count, find, requeue, delete. Each call runs in its own short
   * transaction on a connection of the JDBC outbox's data source, not in a session's.
   */
  public DeadLetters deadLetters() {
    return jdbc.deadLetters();
  }

  /** The JDBC outbox underneath: codec, schema, table names. */
  public JdbcOutbox<J> jdbc() {
    return jdbc;
  }

  @Override
  public String toString() {
    return "HibernateOutbox[" + jdbc + ", change events " + changeEvents.names().values() + "]";
  }

  private SharedSessionContractImplementor inTransaction(EntityManager session, J job) {
    SharedSessionContractImplementor hibernate = Sessions.unwrap(session);
    String kind = jdbc.codec().kindOf(job.getClass()).getOrNull();
    Sessions.requireTransaction(
        hibernate, kind, kind == null ? "the job" : "the job of kind '" + kind + "'");
    return hibernate;
  }

  /**
   * Configures a {@link HibernateOutbox}; checked in {@link #build()}. Not thread-safe.
   *
   * @param <J> the sealed job root
   */
  public static final class Builder<J> {
    private final JdbcOutbox<J> jdbc;
    private final EntityManagerFactory factory;
    private final Map<Class<?>, String> changeEvents = new LinkedHashMap<>();

    private Builder(JdbcOutbox<J> jdbc, EntityManagerFactory factory) {
      this.jdbc = jdbc;
      this.factory = factory;
    }

    /**
     * Opts an entity (and its subclass entities) in to change events without annotating it, named
     * after its table. Annotated entities need no call.
     */
    public Builder<J> changeEvents(Class<?> entity) {
      return changeEvents(entity, "");
    }

    /** Opts an entity in to change events under {@code name}: {@code db/<name>.created}, … */
    public Builder<J> changeEvents(Class<?> entity, String name) {
      changeEvents.put(Objects.requireNonNull(entity, "entity"), Objects.requireNonNull(name));
      return this;
    }

    /**
     * Finds the entities opted in to change events, checks that the job hierarchy has a leaf for
     * each of their kinds, and registers the event listeners on the factory.
     *
     * @throws OutboxException.Misconfigured if the factory is not Hibernate's, an opted-in class is
     *     no entity of it, a name cannot be used in a kind, no leaf takes an event's kind, or
     *     another HibernateOutbox already produces change events on the factory
     */
    public HibernateOutbox<J> build() {
      SessionFactoryImplementor hibernate;
      try {
        hibernate = factory.unwrap(SessionFactoryImplementor.class);
      } catch (PersistenceException | IllegalStateException e) {
        throw new OutboxException.Misconfigured(
            "the EntityManagerFactory is not Hibernate ORM's ("
                + e.getMessage()
                + "); the Hibernate outbox needs Hibernate ORM 7 as the JPA provider",
            e);
      }
      CommitWaker waker = new CommitWaker();
      HeldJobs<J> held = HeldJobs.install(hibernate, jdbc.enqueuer(), waker);
      return new HibernateOutbox<>(
          jdbc,
          hibernate,
          waker,
          held,
          ChangeEventListener.install(hibernate, changeEvents, jdbc, held));
    }
  }
}
