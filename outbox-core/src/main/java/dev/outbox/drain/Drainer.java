package dev.outbox.drain;

import dev.outbox.internal.ClaimedRow;
import dev.outbox.internal.OutboxStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due jobs in batches, runs their handlers, and records each outcome with fenced writes.
 *
 * <p>Use {@link #drainOnce()} from your own scheduler, or {@link #start()} to run it as a
 * background task that drains while there is work and polls (or is {@link #wake() woken}) when
 * there is none. Any number of drainers, in any number of processes, may share the same tables.
 * {@link #close()} stops gracefully: no new claims, in-flight handlers get until the deadline, the
 * jobs of those that do not finish are released (due now, attempt not counted).
 *
 * <p>A started drainer writes the outcomes of one batch while it claims and handles the next: it
 * holds at most two batches, and one connection more than a {@link #drainOnce()} caller while the
 * two overlap. Its {@link #totals()} count a batch once its outcomes are written.
 *
 * <p>Thread-safe. Built by {@code outbox.drainer()...build()}; see {@link DrainerBuilder} for the
 * settings and their defaults.
 *
 * @param <J> the sealed job root
 */
public final class Drainer<J> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Drainer.class);
  private static final Duration MAX_ERROR_PAUSE = Duration.ofSeconds(30);

  /**
   * How soon a listening drainer looks again after a claim that found jobs but fewer than a batch,
   * where the database pushes new-job signals (PostgreSQL): 5 ms. Enqueue notifies at most once per
   * 5 ms per outbox instance (PostgreSQL commits notifying transactions one at a time, so notifying
   * from each would serialize them), and a transaction inside that window sends nothing: the
   * notification of the one before it wakes the drainer, and this second look finds its jobs. Keep
   * it equal to the JDBC outbox's notify interval. Each look that finds nothing doubles the next
   * pause, up to the poll interval, so that a job whose transaction commits a little after the
   * window's (a slow commit under load) is still found within about twice that delay, for a handful
   * of empty claims after each burst.
   */
  static final Duration FOLLOW_UP = Duration.ofMillis(5);

  private static final int MAX_QUIET = 30;

  /** How long after its deadline {@link #close(Duration)} waits for the release to be written. */
  static final long RELEASE_GRACE_MILLIS = 1000;

  private final DrainSettings<J> settings;
  private final OutboxStore store;
  private final HandlerThreads handlerThreads;
  private final ExecutorService finisher;
  private final Listeners listeners;
  private final Object wakeLock = new Object();
  private final AtomicReference<DrainReport> totals = new AtomicReference<>(DrainReport.EMPTY);
  private final AtomicReference<Thread> loop = new AtomicReference<>();
  private volatile AutoCloseable subscription = () -> {};
  private volatile boolean stopping;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Object cycles = new Object();
  private int drainingOnce; // drainOnce() calls in progress, guarded by cycles
  private volatile long hardDeadlineNanos = Long.MAX_VALUE;
  private boolean woken;
  private Future<?> finishing;

  Drainer(DrainSettings<J> settings) {
    this.settings = settings;
    this.store = settings.store();
    this.handlerThreads =
        new HandlerThreads(settings.concurrency(), threads(settings.name() + "-handler"));
    this.finisher = Executors.newSingleThreadExecutor(threads(settings.name() + "-finish"));
    this.listeners = new Listeners(settings.listeners());
  }

  /**
   * Claims one batch, handles it and records the outcomes. Blocks until every handler of the batch
   * has finished.
   *
   * @return what was done; {@link DrainReport#EMPTY} when nothing was due
   * @throws dev.outbox.OutboxException.StoreFailure if the database could not be reached; claimed
   *     jobs whose outcome could not be written are retried after their lease expires
   */
  public DrainReport drainOnce() {
    synchronized (cycles) {
      if (stopping) {
        return DrainReport.EMPTY;
      }
      drainingOnce++;
    }
    try {
      List<ClaimedRow> claim = claim();
      if (claim.isEmpty()) {
        return DrainReport.EMPTY;
      }
      DrainReport report = new DrainCycle<>(this, claim).run();
      totals.accumulateAndGet(report, DrainReport::plus);
      return report;
    } finally {
      synchronized (cycles) {
        drainingOnce--;
        cycles.notifyAll();
      }
    }
  }

  /**
   * Starts draining on a background thread. Logs, once, what an operator should know about the
   * tables (for example an autovacuum that will not reach the job table).
   *
   * @throws IllegalStateException if already started or closed
   * @throws dev.outbox.OutboxException.Misconfigured if the tables are missing or older than this
   *     version needs (the message names the migrations to apply)
   */
  public void start() {
    if (stopping) {
      throw new IllegalStateException(
          "drainer '" + settings.name() + "' is closed; build a new one");
    }
    store.requireSchema();
    ConnectionBudget.check(settings, store);
    Thread thread = threads(settings.name()).newThread(this::drainLoop);
    if (!loop.compareAndSet(null, thread)) {
      throw new IllegalStateException("drainer '" + settings.name() + "' is already started");
    }
    try {
      store.startupWarnings().forEach(warning -> log.warn("{}: {}", settings.name(), warning));
    } catch (RuntimeException e) {
      log.debug("could not check the tables at start", e);
    }
    if (settings.listen()) {
      subscription = store.subscribe(settings.name(), this::wake);
    }
    thread.start();
    log.info(
        "{}: started: batchSize {}, concurrency {}, pollInterval {}, lease {}, maxAttempts {},"
            + " handlerTimeout {}, listen {}",
        settings.name(),
        settings.batchSize(),
        settings.concurrency(),
        settings.pollInterval(),
        settings.lease(),
        settings.maxAttempts(),
        settings.handlerTimeout(),
        settings.listen());
    listeners.publish(new DrainEvent.Started(settings.name()));
  }

  /** Makes a started drainer look for work now instead of at its next poll. Cheap; never blocks. */
  public void wake() {
    synchronized (wakeLock) {
      woken = true;
      wakeLock.notifyAll();
    }
  }

  /**
   * Whether the drainer was {@link #start() started}, is not closed, and its loop is alive: what a
   * health check reads. A loop ends only when closed, or when the drainer's own code (not a
   * handler) meets an {@link Error}, which it logs.
   */
  public boolean isRunning() {
    Thread thread = loop.get();
    return thread != null && thread.isAlive() && !stopping;
  }

  /** The sum of every report since this drainer was built. */
  public DrainReport totals() {
    return totals.get();
  }

  /** Stops within the configured shutdown timeout; see {@link #close(Duration)}. */
  @Override
  public void close() {
    close(settings.shutdownTimeout());
  }

  /**
   * Stops claiming, lets in-flight handlers (the started loop's and those of {@link #drainOnce()}
   * calls in other threads) finish until {@code deadline}, then interrupts the rest and releases
   * their jobs, due at once with the attempt not counted. Returns once that is written, or at the
   * latest {@value #RELEASE_GRACE_MILLIS} ms after the deadline, whatever the database or network
   * does (statements are bounded by the store's timeout; a later release still applies).
   *
   * @return true if everything finished and was written by then
   */
  public boolean close(Duration deadline) {
    long until = System.nanoTime() + deadline.toNanos();
    synchronized (cycles) {
      stopping = true;
      hardDeadlineNanos = until;
    }
    wake();
    long returnBy = until + TimeUnit.MILLISECONDS.toNanos(RELEASE_GRACE_MILLIS);
    boolean clean;
    try {
      clean = awaitLoop(returnBy) & awaitDrainingOnce(returnBy);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      clean = false;
    } finally {
      handlerThreads.shutdownNow();
      finisher.shutdown();
      closeSubscription();
    }
    if (!stopped.getAndSet(true)) {
      stopped(clean);
    }
    return clean;
  }

  private void stopped(boolean clean) {
    DrainReport totals = totals();
    if (loop.get() != null) {
      log.info(
          "{}: stopped{}: since start {} succeeded, {} retried, {} snoozed, {} dead-lettered, {}"
              + " fenced, {} released unfinished",
          settings.name(),
          clean ? "" : " (some handlers were still running at the deadline)",
          totals.succeeded(),
          totals.retried(),
          totals.snoozed(),
          totals.deadLettered(),
          totals.fenced(),
          totals.released());
    }
    listeners.publish(new DrainEvent.Stopped(settings.name(), totals, clean));
  }

  private boolean awaitLoop(long returnBy) throws InterruptedException {
    Thread thread = loop.get();
    if (thread == null || thread == Thread.currentThread()) {
      return true;
    }
    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(returnBy - System.nanoTime())));
    return !thread.isAlive();
  }

  private boolean awaitDrainingOnce(long returnBy) throws InterruptedException {
    synchronized (cycles) {
      while (drainingOnce > 0) {
        long left = returnBy - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(cycles, left);
      }
      return true;
    }
  }

  private void closeSubscription() {
    try {
      subscription.close();
    } catch (Exception e) {
      log.debug("closing the new-job subscription failed", e);
    }
  }

  private void drainLoop() {
    try {
      drainUntilStopped();
    } catch (Throwable e) {
      log.error(
          "{}: the drain loop stopped on {}; isRunning() is now false. Restart the process or build"
              + " a new drainer",
          settings.name(),
          e.toString(),
          e);
    }
  }

  private void drainUntilStopped() {
    int failures = 0;
    int quietClaims = MAX_QUIET; // claims that found nothing since the last one that did
    boolean followsUp = settings.listen() && store.pushesNewJobs();
    while (!stopping) {
      Duration pause;
      try {
        int claimed = drainOverlapped();
        failures = 0;
        if (claimed >= settings.batchSize()) {
          quietClaims = 0;
          continue;
        }
        quietClaims = claimed > 0 ? 0 : Math.min(quietClaims + 1, MAX_QUIET);
        pause = followsUp ? followUp(quietClaims) : settings.pollInterval();
      } catch (RuntimeException e) {
        failures++;
        log.warn(
            "{}: drain failed ({} in a row), will try again: {}",
            settings.name(),
            failures,
            e.toString());
        log.debug("drain failure", e);
        listeners.publish(new DrainEvent.LoopFailed(settings.name(), e, failures));
        pause = errorPause(failures);
      }
      pause(pause);
    }
    awaitFinishing();
  }

  /**
   * The started loop's {@link #drainOnce()}: claims and handles the next batch while the previous
   * batch's outcomes are still being written, so that the claim's commit and the completion's
   * commit overlap instead of queueing one behind the other (on a server where a commit waits for
   * the disk, that is most of a batch's time). One batch is written at a time.
   *
   * @return how many jobs were claimed
   */
  private int drainOverlapped() {
    List<ClaimedRow> claim = claim();
    if (claim.isEmpty()) {
      awaitFinishing();
      return 0;
    }
    DrainCycle<J> cycle = new DrainCycle<>(this, claim).handle();
    awaitFinishing();
    finishing = finisher.submit(() -> finish(cycle));
    return claim.size();
  }

  private List<ClaimedRow> claim() {
    List<ClaimedRow> claim;
    try {
      claim = store.claim(settings.batchSize(), settings.lease());
    } catch (RuntimeException e) {
      listeners.publish(new DrainEvent.StoreFailed(settings.name(), DrainEvent.Write.CLAIM, e));
      throw e;
    }
    if (!claim.isEmpty()) {
      listeners.publish(new DrainEvent.Claimed(settings.name(), claim.size()));
    }
    return claim;
  }

  private void finish(DrainCycle<J> cycle) {
    try {
      totals.accumulateAndGet(cycle.finish(), DrainReport::plus);
      if (cycle.hadOrderingKeys()) {
        // The next job of each key became claimable only now, after the loop's last claim.
        wake();
      }
    } catch (RuntimeException e) {
      log.warn(
          "{}: writing the outcomes of a batch failed; its jobs run again when their lease ends: {}",
          settings.name(),
          e.toString());
      log.debug("finish failure", e);
    }
  }

  private void awaitFinishing() {
    Future<?> pending = finishing;
    finishing = null;
    if (pending == null) {
      return;
    }
    try {
      pending.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    } catch (ExecutionException e) {
      log.warn("{}: writing the outcomes of a batch failed: {}", settings.name(), e.getCause());
    }
  }

  /** {@link #FOLLOW_UP} doubled for each quiet claim, at most the poll interval. */
  private Duration followUp(int quietClaims) {
    long nanos = FOLLOW_UP.toNanos() << quietClaims;
    return nanos < settings.pollInterval().toNanos()
        ? Duration.ofNanos(nanos)
        : settings.pollInterval();
  }

  private Duration errorPause(int failures) {
    Duration pause = settings.pollInterval().multipliedBy(1L << Math.min(failures, 10));
    return pause.compareTo(MAX_ERROR_PAUSE) > 0 ? MAX_ERROR_PAUSE : pause;
  }

  private void pause(Duration duration) {
    long until = System.nanoTime() + duration.toNanos();
    synchronized (wakeLock) {
      try {
        while (!woken && !stopping) {
          long left = until - System.nanoTime();
          if (left <= 0) {
            break;
          }
          TimeUnit.NANOSECONDS.timedWait(wakeLock, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopping = true;
      }
      woken = false;
    }
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  // Accessors for DrainCycle.

  DrainSettings<J> settings() {
    return settings;
  }

  String name() {
    return settings.name();
  }

  Listeners listeners() {
    return listeners;
  }

  OutboxStore store() {
    return store;
  }

  HandlerThreads handlerThreads() {
    return handlerThreads;
  }

  long millisToHardDeadline() {
    long deadline = hardDeadlineNanos;
    return deadline == Long.MAX_VALUE
        ? Long.MAX_VALUE
        : TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
  }
}
