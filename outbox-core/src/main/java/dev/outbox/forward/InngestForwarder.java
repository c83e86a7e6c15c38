package dev.outbox.forward;

import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.BatchCounts;
import dev.outbox.drain.BatchHandler;
import dev.outbox.drain.Outcome;
import dev.outbox.job.Job;
import dev.outbox.job.JobCodec;
import io.vavr.control.Either;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards jobs to the Inngest Event API as events: plug it in as the drainer's batch handler.
 *
 * <pre>{@code
 * var forwarder = InngestForwarder.builder(codec).fromEnvironment().namePrefix("shop/").build();
 * var drainer = outbox.drainer().batchHandler(forwarder).build();
 * }</pre>
 *
 * <p><b>Events.</b> Each job becomes {@code {name, data, id, ts}}: {@code name} from the job's kind
 * (prefix plus the kind as dashed lowercase words, {@code SendWelcomeEmail} → {@code
 * shop/send-welcome-email}; a kind holding {@code /} such as {@code db/users.created} is kept as it
 * is; {@link InngestForwarderBuilder#eventName} overrides), {@code data} the job's JSON object (or
 * {@link InngestForwarderBuilder#eventData}), {@code id} the job's {@link Job#eventId() event id}
 * (a UUID made at enqueue, unique across tables, databases and environments, the same on every
 * resend), or, for a job enqueued with an idempotency key, an id derived from the key and the event
 * name (so that the same business event enqueued twice runs once within Inngest's 24-hour window),
 * and {@code ts} the job's creation time.
 *
 * <p><b>Requests.</b> The claimed batch goes out in as few requests as the byte and count limits
 * allow, in job order, with a {@code x-inngest-event-id-seed} derived from the request's events
 * (the same events resent give the same seed, from any process).
 *
 * <p><b>Outcomes.</b>
 *
 * <ul>
 *   <li>200: every job of the request is {@link Outcome#done() done}.
 *   <li>I/O error, timeout, 429, 5xx, or an unexpected answer: the jobs of that request and of
 *       every request not yet sent are {@link Outcome#failed failed} with an {@link
 *       EventApiException}; the drainer retries them with backoff, with the same event ids.
 *   <li>413: the request is split in two and each half sent.
 *   <li>400: the request is split until the bad event is alone; it is dead-lettered ({@link
 *       DeadLetterReason#REJECTED_BY_DESTINATION}) with the API's error text, the rest delivered.
 *   <li>401, 403, 404, or a redirect: the key, base URL or environment is wrong. Every job not yet
 *       delivered gets {@link Outcome#retryAfter retry after} the misconfiguration pause (no
 *       attempt used, nothing dead-lettered), an ERROR is logged, and no request is made until the
 *       pause ends.
 *   <li>Before sending: an event over {@code maxEventBytes}, with an empty, over-long or reserved
 *       ({@code inngest/}) name, or whose data is not a JSON object is dead-lettered unsent ({@link
 *       DeadLetterReason#REJECTED_BY_DESTINATION}, with the reason and sizes).
 * </ul>
 *
 * <p>The event key never appears in a log line, in {@link #toString()} or in an exception message;
 * the endpoint is shown as {@code {base}/e/****}. Thread-safe: one forwarder may serve several
 * drainers. Counts are in {@link #stats()}.
 *
 * @param <J> the sealed job root
 */
public final class InngestForwarder<J> implements BatchHandler<J> {
  private static final Logger log = LoggerFactory.getLogger(InngestForwarder.class);

  private final ForwarderSettings<J> settings;
  private final EventApiClient client;
  private final Counters counters = new Counters();
  private volatile long pausedUntilNanos;
  private volatile boolean paused;

  InngestForwarder(ForwarderSettings<J> settings) {
    this.settings = settings;
    this.client =
        new EventApiClient(
            settings.http(),
            settings.endpoint(),
            settings.key(),
            settings.env(),
            settings.requestTimeout());
  }

  /** Starts the settings of a forwarder for jobs of this codec's sealed root. */
  public static <J> InngestForwarderBuilder<J> builder(JobCodec<J> codec) {
    return new InngestForwarderBuilder<>(codec);
  }

  /**
   * Sends the jobs as events and returns each job's outcome (see the class comment). Throws only
   * when interrupted; every other failure is an outcome.
   */
  @Override
  public Map<Long, Outcome> handle(List<Job<J>> jobs) throws InterruptedException {
    return handle(jobs, BatchCounts.NONE);
  }

  /**
   * As {@link #handle(List)}, counting this batch's events sent, requests, retries, splits,
   * rejections and pauses into {@code counts} (the drainer puts them in its report).
   */
  @Override
  public Map<Long, Outcome> handle(List<Job<J>> jobs, BatchCounts counts)
      throws InterruptedException {
    Objects.requireNonNull(jobs, "jobs");
    Objects.requireNonNull(counts, "counts");
    Counters batch = new Counters();
    try {
      return forward(jobs, batch);
    } finally {
      counters.add(batch);
      batch.reportTo(counts);
    }
  }

  private Map<Long, Outcome> forward(List<Job<J>> jobs, Counters batch)
      throws InterruptedException {
    Duration pauseLeft = pauseLeft();
    if (!pauseLeft.isZero()) {
      return waiting(jobs, pauseLeft, batch);
    }
    Map<Long, Outcome> outcomes = new LinkedHashMap<>();
    List<OutgoingEvent> events = encode(jobs, outcomes, batch);
    Delivery delivery =
        new Delivery(client, batch, settings.loggedEndpoint(), settings.misconfigurationPause());
    var requests = Batches.pack(events, settings.maxRequestBytes(), settings.maxEventsPerRequest());
    for (List<OutgoingEvent> request : requests) {
      delivery.send(request);
    }
    outcomes.putAll(delivery.outcomes());
    delivery.misconfiguration().forEach(wrong -> pause(wrong, outcomes));
    logSummary(jobs.size(), events.size(), requests.size(), outcomes);
    return outcomes;
  }

  /** What this forwarder has done so far. */
  public ForwarderStats stats() {
    return counters.snapshot();
  }

  /** The settings, with the event key masked. */
  @Override
  public String toString() {
    return "InngestForwarder[endpoint="
        + settings.loggedEndpoint()
        + ", env="
        + settings.env().getOrElse("none")
        + ", maxRequestBytes="
        + settings.maxRequestBytes()
        + ", maxEventBytes="
        + settings.maxEventBytes()
        + ", maxEventsPerRequest="
        + settings.maxEventsPerRequest()
        + ", requestTimeout="
        + settings.requestTimeout()
        + "]";
  }

  private List<OutgoingEvent> encode(
      List<Job<J>> jobs, Map<Long, Outcome> outcomes, Counters batch) {
    List<OutgoingEvent> events = new ArrayList<>(jobs.size());
    for (Job<J> job : jobs) {
      Either<String, OutgoingEvent> event;
      try {
        event = settings.encoder().encode(job);
      } catch (RuntimeException e) {
        outcomes.put(job.id(), Outcome.failed(e));
        continue;
      }
      if (event.isRight()) {
        events.add(event.get());
      } else {
        log.warn("job {} ({}): dead-lettered unsent: {}", job.id(), job.kind(), event.getLeft());
        batch.rejections.increment();
        outcomes.put(
            job.id(),
            Outcome.deadLetter(DeadLetterReason.REJECTED_BY_DESTINATION, event.getLeft()));
      }
    }
    return events;
  }

  /** Every job back for when the pause ends, without a request and without using an attempt. */
  private Map<Long, Outcome> waiting(List<Job<J>> jobs, Duration pauseLeft, Counters batch) {
    batch.pauses.add(jobs.size());
    Map<Long, Outcome> waiting = new LinkedHashMap<>();
    jobs.forEach(job -> waiting.put(job.id(), Outcome.retryAfter(pauseLeft)));
    return waiting;
  }

  private Duration pauseLeft() {
    if (!paused) {
      return Duration.ZERO;
    }
    long left = pausedUntilNanos - System.nanoTime();
    if (left <= 0) {
      paused = false;
      return Duration.ZERO;
    }
    return Duration.ofNanos(left);
  }

  private void pause(Reply.Misconfigured wrong, Map<Long, Outcome> outcomes) {
    Duration pause = settings.misconfigurationPause();
    pausedUntilNanos = System.nanoTime() + pause.toNanos();
    paused = true;
    log.error(
        "Inngest Event API at {} answered HTTP {} ({}): the event key, base URL or environment is"
            + " misconfigured. Check INNGEST_EVENT_KEY (an event key of this Inngest environment,"
            + " not a signing key), INNGEST_BASE_URL or INNGEST_EVENT_API_BASE_URL, and INNGEST_ENV"
            + " (now {}). Forwarding is paused for {}; {} job(s) stay pending without using an"
            + " attempt.",
        settings.loggedEndpoint(),
        wrong.status(),
        wrong.error(),
        settings.env().getOrElse("unset"),
        pause,
        outcomes.values().stream().filter(Outcome.RetryLater.class::isInstance).count());
  }

  private void logSummary(int jobs, int events, int requests, Map<Long, Outcome> outcomes) {
    if (!log.isDebugEnabled()) {
      return;
    }
    long done = outcomes.values().stream().filter(Outcome.Done.class::isInstance).count();
    log.debug(
        "{} job(s) to {}: {} event(s) in {} packed request(s), {} accepted, {} not done; totals {}",
        jobs,
        settings.loggedEndpoint(),
        events,
        requests,
        done,
        jobs - done,
        stats());
  }
}
