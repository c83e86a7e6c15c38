package dev.outbox.drain;

import dev.outbox.OutboxException;
import dev.outbox.internal.OutboxStore;
import dev.outbox.job.JobCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of a {@link Drainer}. Obtained from the outbox ({@code outbox.drainer()}); checked once
 * in {@link #build()}, which names any bad setting and its value and copies the settings into the
 * drainer: changing the builder afterwards changes only drainers built later. Not thread-safe; the
 * drainer it builds is.
 *
 * <p>Handlers: one default ({@link #handler(JobHandler)}, {@link #batchHandler(BatchHandler)} or
 * {@link #transactionalHandler(TransactionalHandler)}), plus any number of per-type transactional
 * handlers ({@link #transactional(Class, TransactionalHandler)}). Every kind must be covered.
 *
 * @param <J> the sealed job root
 */
public final class DrainerBuilder<J> {
  /** Jobs claimed per statement: {@value}. */
  public static final int DEFAULT_BATCH_SIZE = 100;

  /**
   * Handlers running at once: {@value}. Also bounds the connections transactional handlers hold.
   */
  public static final int DEFAULT_CONCURRENCY = 8;

  /** How often an idle drainer looks for due jobs: 1 second. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

  /** How long a claim is held before another drainer may take the job: 2 minutes. */
  public static final Duration DEFAULT_LEASE = Duration.ofMinutes(2);

  /** Attempts before a failing job is dead-lettered: {@value}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 10;

  /** How long a handler may run before its job fails and its thread is interrupted: 15 minutes. */
  public static final Duration DEFAULT_HANDLER_TIMEOUT = Duration.ofMinutes(15);

  /** How long {@link Drainer#close()} waits for in-flight handlers: 30 seconds. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

  private final JobCodec<J> codec;
  private final OutboxStore store;
  private String name = "outbox-drainer";
  private int batchSize = DEFAULT_BATCH_SIZE;
  private int concurrency = DEFAULT_CONCURRENCY;
  private Duration pollInterval = DEFAULT_POLL_INTERVAL;
  private Duration lease = DEFAULT_LEASE;
  private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
  private Backoff backoff = Backoff.DEFAULT;
  private final Map<String, Backoff> backoffByKind = new LinkedHashMap<>();
  private Duration handlerTimeout = DEFAULT_HANDLER_TIMEOUT;
  private final Map<String, Duration> handlerTimeoutByKind = new LinkedHashMap<>();
  private final Set<Class<? extends Throwable>> nonRetryable = new LinkedHashSet<>();
  private JobHandler<J> jobHandler;
  private BatchHandler<J> batchHandler;
  private TransactionalHandler<J> transactionalDefault;
  private final Map<String, TransactionalHandler<J>> transactionalByKind = new LinkedHashMap<>();
  private final List<DrainListener> listeners = new ArrayList<>();
  private boolean listen = true;
  private boolean leaveUnknownKindsPending;
  private Duration unknownKindRecheck = Duration.ofMinutes(1);

  private DrainerBuilder(JobCodec<J> codec, OutboxStore store) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.store = Objects.requireNonNull(store, "store");
  }

  /** For store modules (internal); users call {@code outbox.drainer()}. */
  public static <J> DrainerBuilder<J> create(JobCodec<J> codec, OutboxStore store) {
    return new DrainerBuilder<>(codec, store);
  }

  /** The default handler: one job at a time, outside any transaction, concurrently. */
  public DrainerBuilder<J> handler(JobHandler<J> handler) {
    this.jobHandler = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /** The default handler as a batch handler: the whole claimed batch at once. */
  public DrainerBuilder<J> batchHandler(BatchHandler<J> handler) {
    this.batchHandler = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /** The default handler as a transactional one: every kind runs in the library's transaction. */
  public DrainerBuilder<J> transactionalHandler(TransactionalHandler<J> handler) {
    this.transactionalDefault = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /**
   * Runs jobs of one leaf type in a transaction with their completion (see {@link
   * TransactionalHandler}); other types still go to the default handler.
   */
  @SuppressWarnings("unchecked")
  public <L extends J> DrainerBuilder<J> transactional(
      Class<L> type, TransactionalHandler<? super L> handler) {
    Objects.requireNonNull(handler, "handler");
    String kind = kindOf(type);
    TransactionalHandler<L> typed =
        (job, tx) -> ((TransactionalHandler<L>) handler).handle(job, tx);
    transactionalByKind.put(kind, (TransactionalHandler<J>) (TransactionalHandler<?>) typed);
    return this;
  }

  /** A name for threads and log lines. Default {@code outbox-drainer}. */
  public DrainerBuilder<J> name(String name) {
    this.name = Objects.requireNonNull(name, "name");
    return this;
  }

  /** Jobs claimed per statement, 1 to 10,000. Default {@value #DEFAULT_BATCH_SIZE}. */
  public DrainerBuilder<J> batchSize(int batchSize) {
    this.batchSize = batchSize;
    return this;
  }

  /** Handlers running at once, 1 to 1,000. Default {@value #DEFAULT_CONCURRENCY}. */
  public DrainerBuilder<J> concurrency(int concurrency) {
    this.concurrency = concurrency;
    return this;
  }

  /** How often an idle started drainer polls. Default 1 second. */
  public DrainerBuilder<J> pollInterval(Duration pollInterval) {
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    return this;
  }

  /**
   * How long a claimed job stays invisible to other drainers. While its handler runs, the drainer
   * renews the lease every third of it (one statement per batch), so a slow handler keeps its job;
   * a drainer that dies stops renewing, and its jobs are claimed again after one lease. Shorter
   * leases take over a dead drainer's jobs sooner, for more renewals. Default 2 minutes.
   */
  public DrainerBuilder<J> lease(Duration lease) {
    this.lease = Objects.requireNonNull(lease, "lease");
    return this;
  }

  /**
   * Attempts before a failing job is dead-lettered, 1 to 1,000. Default {@value
   * #DEFAULT_MAX_ATTEMPTS}.
   */
  public DrainerBuilder<J> maxAttempts(int maxAttempts) {
    this.maxAttempts = maxAttempts;
    return this;
  }

  /**
   * How long a job or batch handler may run. Past it, the job fails (attempt counted, the error
   * text names the timeout), its outcome is written with the rest of its batch, and the handler's
   * thread is interrupted; one that ignores the interrupt keeps its thread until it returns, and
   * what it returns then is dropped, but the drainer runs its other jobs on a thread of its own
   * meanwhile. A transactional handler's thread is interrupted too, and its transaction decides: if
   * it commits, its outcome stands; otherwise the job runs again after its lease. Default 15
   * minutes.
   */
  public DrainerBuilder<J> handlerTimeout(Duration timeout) {
    this.handlerTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /** The handler timeout for one leaf type, overriding {@link #handlerTimeout(Duration)}. */
  public DrainerBuilder<J> handlerTimeout(Class<? extends J> type, Duration timeout) {
    handlerTimeoutByKind.put(kindOf(type), Objects.requireNonNull(timeout, "timeout"));
    return this;
  }

  /** Backoff between attempts. Default {@link Backoff#DEFAULT}. */
  public DrainerBuilder<J> backoff(Backoff backoff) {
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    return this;
  }

  /** Backoff for one leaf type, overriding the default. */
  public DrainerBuilder<J> backoff(Class<? extends J> type, Backoff backoff) {
    backoffByKind.put(kindOf(type), Objects.requireNonNull(backoff, "backoff"));
    return this;
  }

  /**
   * Failures not worth retrying: a handler exception that is (or is caused by) one of these types
   * sends the job straight to the dead letters with reason NON_RETRYABLE.
   */
  @SafeVarargs
  public final DrainerBuilder<J> nonRetryable(Class<? extends Throwable>... types) {
    nonRetryable.addAll(List.of(types));
    return this;
  }

  /**
   * For rolling deploys: a row whose kind this version does not know stays pending (checked again
   * every {@code recheck}) instead of being dead-lettered, so a newer instance can take it.
   * Default: dead-lettered at once as unparseable.
   */
  public DrainerBuilder<J> leaveUnknownKindsPending(Duration recheck) {
    this.leaveUnknownKindsPending = true;
    this.unknownKindRecheck = Objects.requireNonNull(recheck, "recheck");
    return this;
  }

  /**
   * Whether a started drainer listens for new jobs where the database can push them (PostgreSQL
   * LISTEN/NOTIFY; one extra connection held while started). Polling runs regardless. A listening
   * drainer whose claim found jobs but fewer than a batch claims again after 5 ms, then at doubling
   * pauses up to the poll interval while it finds nothing, because enqueue notifies at most once
   * per 5 ms per outbox and the transactions in between send nothing. Default true.
   */
  public DrainerBuilder<J> listen(boolean listen) {
    this.listen = listen;
    return this;
  }

  /** How long {@link Drainer#close()} waits for in-flight handlers. Default 30 seconds. */
  public DrainerBuilder<J> shutdownTimeout(Duration timeout) {
    this.shutdownTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Adds a listener told every {@link DrainEvent} of the drainer, after those added before it. None
   * by default; the list is fixed when {@link #build()} is called.
   */
  public DrainerBuilder<J> listener(DrainListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Checks every setting and builds the drainer.
   *
   * @throws OutboxException.Misconfigured naming the bad setting and its value
   */
  public Drainer<J> build() {
    check(
        batchSize >= 1 && batchSize <= 10_000,
        "batchSize must be between 1 and 10000, was " + batchSize);
    check(
        concurrency >= 1 && concurrency <= 1_000,
        "concurrency must be between 1 and 1000, was " + concurrency);
    check(
        maxAttempts >= 1 && maxAttempts <= 1_000,
        "maxAttempts must be between 1 and 1000, was " + maxAttempts);
    check(isPositive(pollInterval), "pollInterval must be positive, was " + pollInterval);
    check(lease.toMillis() >= 1, "lease must be at least 1 ms, was " + lease);
    check(isPositive(handlerTimeout), "handlerTimeout must be positive, was " + handlerTimeout);
    handlerTimeoutByKind.forEach(
        (kind, timeout) ->
            check(
                isPositive(timeout),
                "handlerTimeout of " + kind + " must be positive, was " + timeout));
    check(
        !shutdownTimeout.isNegative(),
        "shutdownTimeout must not be negative, was " + shutdownTimeout);
    check(!name.isBlank(), "name must not be blank");
    int defaults =
        (jobHandler != null ? 1 : 0)
            + (batchHandler != null ? 1 : 0)
            + (transactionalDefault != null ? 1 : 0);
    check(
        defaults <= 1,
        "set one default handler: handler(...), batchHandler(...) or transactionalHandler(...), not "
            + defaults);
    if (defaults == 0) {
      Set<String> uncovered = new LinkedHashSet<>(codec.kinds());
      uncovered.removeAll(transactionalByKind.keySet());
      check(
          uncovered.isEmpty(),
          "no handler for the kinds " + uncovered + ": set a default handler with handler(...)");
    }
    return new Drainer<>(
        new DrainSettings<>(
            codec,
            store,
            name,
            batchSize,
            concurrency,
            pollInterval,
            lease,
            maxAttempts,
            shutdownTimeout,
            backoff,
            backoffByKind,
            handlerTimeout,
            handlerTimeoutByKind,
            nonRetryable,
            jobHandler,
            batchHandler,
            transactionalDefault,
            transactionalByKind,
            listeners,
            listen,
            leaveUnknownKindsPending,
            unknownKindRecheck));
  }

  private String kindOf(Class<? extends J> type) {
    Objects.requireNonNull(type, "type");
    return codec
        .kindOf(type)
        .getOrElseThrow(
            () ->
                new OutboxException.Misconfigured(
                    type.getName()
                        + " is not a leaf of "
                        + codec.root().getName()
                        + "; pass one of its records"));
  }

  private static boolean isPositive(Duration duration) {
    return !duration.isNegative() && !duration.isZero();
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new OutboxException.Misconfigured(message);
    }
  }
}
