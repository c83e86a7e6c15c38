package dev.outbox.drain;

import dev.outbox.OutboxException;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.internal.ClaimedRow;
import dev.outbox.internal.ErrorText;
import dev.outbox.internal.OutboxStore;
import dev.outbox.internal.OutboxStore.Burial;
import dev.outbox.internal.OutboxStore.Retry;
import dev.outbox.internal.OutboxStore.TxResult;
import dev.outbox.job.Job;
import dev.outbox.job.ParseError;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One claimed batch, from parsing to the fenced writes that finish it. Not thread-safe. */
final class DrainCycle<J> {
  private static final Logger log = LoggerFactory.getLogger(Drainer.class);

  /** How often a waiting batch looks at its deadlines when no handler has ended meanwhile. */
  private static final long TICK_MILLIS = 50;

  private final Drainer<J> drainer;
  private final DrainSettings<J> settings;
  private final OutboxStore store;
  private final long leaseToken;
  private final int claimed;
  private final List<Long> done = new ArrayList<>();
  private final List<Retry> retries = new ArrayList<>();
  private final List<Retry> snoozes = new ArrayList<>();
  private final List<Burial> burials = new ArrayList<>();
  private final List<Long> unfinished = new ArrayList<>();
  private final Map<Long, ClaimedRow> rows = new LinkedHashMap<>();
  private final Map<String, Long> counted = new ConcurrentHashMap<>();
  private final BatchCounts counts = (name, delta) -> counted.merge(name, delta, Long::sum);
  private final Semaphore ended = new Semaphore(0);
  private final BatchEvents events;
  private int unparseable;
  private int fenced;
  private int committedInTx;
  private int snoozedInTx;
  private int buriedInTx;

  DrainCycle(Drainer<J> drainer, List<ClaimedRow> claim) {
    this.drainer = drainer;
    this.settings = drainer.settings();
    this.store = drainer.store();
    this.leaseToken = claim.get(0).leaseToken();
    this.claimed = claim.size();
    this.events = new BatchEvents(drainer.listeners(), drainer.name());
    claim.forEach(row -> rows.put(row.id(), row));
  }

  /** Handles the batch and writes its outcomes. */
  DrainReport run() {
    return handle().finish();
  }

  /**
   * Parses the rows, runs the handlers and gathers their outcomes; writes nothing but what
   * transactional handlers commit themselves. {@link #finish()} writes the rest.
   */
  DrainCycle<J> handle() {
    List<Job<J>> ordinary = new ArrayList<>();
    Map<Job<J>, TransactionalHandler<J>> transactional = new LinkedHashMap<>();
    for (ClaimedRow row : rows.values()) {
      if (row.attempts() > settings.maxAttempts()) {
        bury(row, DeadLetterReason.RETRIES_EXHAUSTED, abandonedText(row));
        continue;
      }
      Either<ParseError, J> parsed = settings.codec().parse(row.kind(), row.payload());
      if (parsed.isLeft()) {
        unparseable(row, parsed.getLeft());
        continue;
      }
      Job<J> job = toJob(row, parsed.get());
      TransactionalHandler<J> tx = settings.transactionalHandlerFor(row.kind());
      if (tx != null) {
        transactional.put(job, tx);
      } else {
        ordinary.add(job);
      }
    }
    List<HandlerRun> runs = new ArrayList<>();
    transactional.forEach((job, handler) -> runs.add(transactionalRun(job, handler)));
    if (!ordinary.isEmpty()) {
      runs.addAll(ordinaryRuns(ordinary));
    }
    runs.forEach(drainer.handlerThreads()::start);
    Map<Long, Outcome> outcomes = new LinkedHashMap<>();
    collect(runs, outcomes);
    outcomes.forEach((id, outcome) -> apply(rows.get(id), outcome));
    return this;
  }

  private List<HandlerRun> ordinaryRuns(List<Job<J>> jobs) {
    BatchHandler<J> batch = settings.batchHandler();
    if (batch != null) {
      List<Long> ids = jobs.stream().map(Job::id).toList();
      return List.of(run(ids, false, settings.handlerTimeout(), () -> safely(batch, jobs, counts)));
    }
    JobHandler<J> handler = settings.jobHandler();
    List<HandlerRun> runs = new ArrayList<>();
    for (Job<J> job : jobs) {
      Duration timeout = settings.handlerTimeoutFor(job.kind());
      runs.add(run(List.of(job.id()), false, timeout, () -> safely(handler, job)));
    }
    return runs;
  }

  private HandlerRun run(List<Long> ids, boolean tx, Duration timeout, Supplier<Object> work) {
    return new HandlerRun(ids, tx, timeout, work, ended);
  }

  private static <J> Outcome safely(JobHandler<J> handler, Job<J> job) {
    try (JobMdc mdc = JobMdc.of(job)) {
      Outcome outcome = handler.handle(job);
      return outcome != null
          ? outcome
          : Outcome.failed(new OutboxException("the handler returned null"));
    } catch (Throwable e) { // an Error too (StackOverflowError, OutOfMemoryError): this job's alone
      return Outcome.failed(e);
    }
  }

  private static <J> Map<Long, Outcome> safely(
      BatchHandler<J> handler, List<Job<J>> jobs, BatchCounts counts) {
    try {
      Map<Long, Outcome> outcomes = handler.handle(jobs, counts);
      return outcomes != null ? outcomes : Map.of();
    } catch (Throwable e) {
      Map<Long, Outcome> failed = new LinkedHashMap<>();
      jobs.forEach(job -> failed.put(job.id(), Outcome.failed(e)));
      return failed;
    }
  }

  private HandlerRun transactionalRun(Job<J> job, TransactionalHandler<J> handler) {
    ClaimedRow row = rows.get(job.id());
    Duration timeout = settings.handlerTimeoutFor(job.kind());
    return run(List.of(job.id()), true, timeout, () -> safely(row, job, handler));
  }

  private TxResult safely(ClaimedRow row, Job<J> job, TransactionalHandler<J> handler) {
    try (JobMdc mdc = JobMdc.of(job)) {
      return store.runInTransaction(row, tx -> handler.handle(job, tx));
    } catch (Throwable e) { // rolled back by the store; still this job's failure alone
      return new TxResult.RolledBack(e);
    }
  }

  /**
   * Waits until every run has ended: returned, timed out, or cancelled at the shutdown deadline.
   * Meanwhile renews the leases of the batch's jobs every third of a lease, in one statement.
   */
  private void collect(List<HandlerRun> runs, Map<Long, Outcome> outcomes) {
    List<HandlerRun> pending = new ArrayList<>(runs);
    LeaseRenewal renewal = new LeaseRenewal(drainer, leaseToken, renewable(runs));
    try {
      while (!pending.isEmpty()) {
        long now = System.nanoTime();
        boolean pastDeadline = drainer.millisToHardDeadline() <= 0;
        pending.removeIf(run -> settled(run, now, pastDeadline, outcomes));
        if (!pending.isEmpty()) {
          renewal.renewIfDue(now);
          ended.tryAcquire(TICK_MILLIS, TimeUnit.MILLISECONDS);
          ended.drainPermits();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pending.forEach(run -> settled(run, System.nanoTime(), true, outcomes));
    }
  }

  /** Records a run that has ended, or ends it; false if it is still running. */
  private boolean settled(
      HandlerRun run, long now, boolean pastDeadline, Map<Long, Outcome> outcomes) {
    if (run.returned()) {
      result(run, outcomes);
      handled(run, outcomes, now);
    } else if (pastDeadline && run.cancel()) {
      log.warn("jobs {}: handler still running at the shutdown deadline; released", run.ids);
      unfinished.addAll(run.ids);
    } else if (run.overdue(now) && run.timeOut(drainer.handlerThreads())) {
      timedOut(run, outcomes);
      handled(run, outcomes, now);
    } else if (run.returned()) { // between the first look and the attempts to end it
      result(run, outcomes);
      handled(run, outcomes, now);
    } else {
      return false;
    }
    return true;
  }

  /** Tells the listeners the outcome of each job the run decided. */
  private void handled(HandlerRun run, Map<Long, Outcome> outcomes, long now) {
    for (long id : run.ids) {
      Outcome outcome = outcomes.get(id);
      if (outcome == null && run.returned() && run.result() instanceof TxResult.Committed c) {
        outcome = c.outcome();
      }
      if (outcome != null) {
        events.handled(rows.get(id), run, outcome, now);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void result(HandlerRun run, Map<Long, Outcome> outcomes) {
    long id = run.ids.get(0);
    Object result = run.result();
    if (result instanceof Outcome outcome) {
      outcomes.put(id, outcome);
    } else if (result instanceof TxResult tx) {
      transactionalResult(id, tx, outcomes);
    } else {
      Map<Long, Outcome> results = (Map<Long, Outcome>) result;
      for (long each : run.ids) {
        outcomes.put(each, results.getOrDefault(each, missing(each)));
      }
    }
  }

  /**
   * A job or batch handler past its timeout fails (attempt counted). A transactional one is left to
   * its transaction: a commit applies its outcome; otherwise the row, locked until then, is claimed
   * again once its lease runs out.
   */
  private void timedOut(HandlerRun run, Map<Long, Outcome> outcomes) {
    log.warn(
        "jobs {}: handler still running after its timeout of {}; its thread was interrupted{}",
        run.ids,
        run.timeout(),
        run.transactional ? ", its transaction decides the outcome" : " and the job failed");
    if (run.transactional) {
      return;
    }
    OutboxException timeout =
        new OutboxException(
            "the handler was still running after its timeout of "
                + run.timeout()
                + " (handlerTimeout); its thread was interrupted");
    run.ids.forEach(id -> outcomes.put(id, Outcome.failed(timeout)));
  }

  /** The jobs whose leases are renewed: all but those a transactional handler holds locked. */
  private List<Long> renewable(List<HandlerRun> runs) {
    List<Long> ids = new ArrayList<>(rows.keySet());
    runs.stream().filter(run -> run.transactional).forEach(run -> ids.removeAll(run.ids));
    return ids;
  }

  private void transactionalResult(long id, TxResult result, Map<Long, Outcome> outcomes) {
    if (result instanceof TxResult.Fenced) {
      fenced++;
    } else if (result instanceof TxResult.RolledBack rolledBack) {
      outcomes.put(id, Outcome.failed(rolledBack.cause()));
    } else if (result instanceof TxResult.NotRun notRun) {
      notRun(rows.get(id), notRun.cause());
    } else if (result instanceof TxResult.Committed committed) {
      Outcome outcome = committed.outcome();
      events.committed(rows.get(id), outcome);
      if (outcome instanceof Outcome.RetryLater) {
        snoozedInTx++;
      } else if (outcome instanceof Outcome.DeadLetterNow now) {
        buriedInTx++;
        logDeadLetter(rows.get(id), now.reason(), now.why());
      } else {
        committedInTx++;
      }
    }
  }

  private void apply(ClaimedRow row, Outcome outcome) {
    if (outcome instanceof Outcome.Done) {
      done.add(row.id());
    } else if (outcome instanceof Outcome.RetryLater later) {
      snooze(row, new Retry(row.id(), later.delay(), false, null));
    } else if (outcome instanceof Outcome.DeadLetterNow now) {
      bury(row, now.reason(), ErrorText.bounded(now.why()));
    } else if (outcome instanceof Outcome.Failed failed) {
      failed(row, failed.cause());
    }
  }

  private void failed(ClaimedRow row, Throwable cause) {
    String error = ErrorText.of(cause);
    if (cause instanceof Error) {
      log.error(
          "job {} ({}): its handler threw {}; the job failed, the rest of its batch is unaffected",
          row.id(),
          row.kind(),
          cause.toString(),
          cause);
    }
    if (settings.isNonRetryable(cause)) {
      bury(row, DeadLetterReason.NON_RETRYABLE, error);
    } else if (row.attempts() >= settings.maxAttempts()) {
      bury(row, DeadLetterReason.RETRIES_EXHAUSTED, error);
    } else {
      var delay =
          settings.backoffFor(row.kind()).delayAfter(row.attempts(), ThreadLocalRandom.current());
      Retry retry = new Retry(row.id(), delay, true, error);
      retries.add(retry);
      events.retried(row, retry, cause);
      log.debug(
          "job {} ({}) failed on attempt {}, retrying in {}",
          row.id(),
          row.kind(),
          row.attempts(),
          delay,
          cause);
    }
  }

  /** The handler did not run for want of a connection: try again later, attempt not counted. */
  private void notRun(ClaimedRow row, Throwable cause) {
    var delay = settings.backoffFor(row.kind()).delayAfter(1, ThreadLocalRandom.current());
    log.warn(
        "job {} ({}): its transactional handler did not run, attempt not counted, retrying in {}: {}",
        row.id(),
        row.kind(),
        delay,
        cause.getMessage());
    snooze(row, new Retry(row.id(), delay, false, ErrorText.of(cause)));
  }

  private void unparseable(ClaimedRow row, ParseError error) {
    unparseable++;
    if (error instanceof ParseError.UnknownKind && settings.leaveUnknownKindsPending()) {
      snooze(row, new Retry(row.id(), settings.unknownKindRecheck(), false, error.describe()));
      return;
    }
    bury(row, DeadLetterReason.UNPARSEABLE, ErrorText.bounded(error.describe()));
  }

  private void snooze(ClaimedRow row, Retry snooze) {
    snoozes.add(snooze);
    events.snoozed(row, snooze);
  }

  private void bury(ClaimedRow row, DeadLetterReason reason, String error) {
    Burial burial = new Burial(row.id(), reason, error);
    burials.add(burial);
    events.buried(row, burial);
  }

  /** One WARN line per dead letter: what an operator needs to find it and start on the cause. */
  private static void logDeadLetter(ClaimedRow row, DeadLetterReason reason, String error) {
    String firstLine = error == null ? "" : error.lines().findFirst().orElse("");
    log.warn(
        "job {} ({}) dead-lettered, {} after {} attempt(s): {}",
        row.id(),
        row.kind(),
        reason,
        row.attempts(),
        firstLine);
  }

  /** Whether a job of this batch had an ordering key: finishing it may unblock the key's next. */
  boolean hadOrderingKeys() {
    return rows.values().stream().anyMatch(row -> row.orderingKey() != null);
  }

  /** Writes the outcomes with fenced batch statements and tells what was done. */
  DrainReport finish() {
    int succeeded = committedInTx + applied(done.size(), () -> store.complete(leaseToken, done));
    int retried = applied(retries.size(), () -> store.retry(leaseToken, retries));
    events.retriesWritten();
    int snoozed = snoozedInTx + applied(snoozes.size(), () -> store.retry(leaseToken, snoozes));
    events.snoozesWritten();
    int buried = buriedInTx + applied(burials.size(), () -> store.deadLetter(leaseToken, burials));
    events.burialsWritten();
    burials.forEach(
        burial -> logDeadLetter(rows.get(burial.id()), burial.reason(), burial.error()));
    int released = applied(unfinished.size(), () -> store.release(leaseToken, unfinished));
    events.fenced(fenced);
    if (fenced > 0) {
      log.warn(
          "{} outcome(s) were not applied: the jobs no longer carry this claim's lease token. Their"
              + " lease ran out before the outcomes were written (this drainer was stalled longer"
              + " than a lease) and a later claim, by this drainer or another, took them; or the"
              + " rows were removed meanwhile. The later claim's outcome stands.",
          fenced);
    }
    return new DrainReport(
        claimed, succeeded, retried, snoozed, buried, unparseable, fenced, released, counted);
  }

  private int applied(int requested, IntSupplier write) {
    if (requested == 0) {
      return 0;
    }
    int applied;
    try {
      applied = write.getAsInt();
    } catch (RuntimeException e) {
      events.writeFailed(e);
      throw e;
    }
    fenced += requested - applied;
    return applied;
  }

  private Job<J> toJob(ClaimedRow row, J payload) {
    return new Job<>(
        row.id(),
        row.eventId(),
        row.kind(),
        payload,
        row.attempts(),
        Instant.ofEpochMilli(row.createdAtMillis()),
        Option.of(row.orderingKey()),
        Option.of(row.idempotencyKey()));
  }

  private static Outcome missing(long id) {
    return Outcome.failed(
        new OutboxException("the batch handler returned no outcome for job " + id));
  }

  private String abandonedText(ClaimedRow row) {
    return "claimed "
        + row.attempts()
        + " times without an outcome (max attempts "
        + settings.maxAttempts()
        + "): each time the drainer stopped or its lease expired while the job ran";
  }
}
