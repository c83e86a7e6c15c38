package dev.outbox.forward;

import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Outcome;
import io.vavr.control.Option;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the packed requests of one batch and decides each job's outcome by the policy of the Event
 * API: 200 completes; 413 splits; 400 narrows the request down until the bad event is alone and
 * dead-letters it; 401, 403, 404 and trouble (I/O error, timeout, 429, 5xx) stop the batch, the
 * rest going back to the drainer. Used by one thread for one batch.
 */
final class Delivery {
  private static final Logger log = LoggerFactory.getLogger(InngestForwarder.class);

  private final EventApiClient client;
  private final Counters counters;
  private final String endpoint;
  private final Duration pause;
  private final Map<Long, Outcome> outcomes = new LinkedHashMap<>();
  private Reply stoppedBy;
  private Outcome handedBack;

  Delivery(EventApiClient client, Counters counters, String endpoint, Duration pause) {
    this.client = client;
    this.counters = counters;
    this.endpoint = endpoint;
    this.pause = pause;
  }

  /** Sends the events as one request, or hands them back if the batch has already stopped. */
  void send(List<OutgoingEvent> events) throws InterruptedException {
    if (stoppedBy != null) {
      handBack(events);
      return;
    }
    counters.requests.increment();
    Reply reply = client.send(events);
    if (reply instanceof Reply.Accepted) {
      events.forEach(event -> outcomes.put(event.jobId(), Outcome.done()));
      counters.eventsSent.add(events.size());
    } else if (reply instanceof Reply.Rejected rejected) {
      narrowDown(events, "Inngest rejected the event (HTTP 400): " + rejected.error());
    } else if (reply instanceof Reply.TooLarge tooLarge) {
      narrowDown(events, tooLargeText(events, tooLarge));
    } else {
      stop(reply, events.size());
      handBack(events);
    }
  }

  /** The outcome of every job sent or handed back so far, keyed by job id. */
  Map<Long, Outcome> outcomes() {
    return outcomes;
  }

  /** The 401/403/404 answer that stopped the batch, if one did. */
  Option<Reply.Misconfigured> misconfiguration() {
    return stoppedBy instanceof Reply.Misconfigured wrong ? Option.some(wrong) : Option.none();
  }

  /** Splits the request in two and sends each half; a lone event is dead-lettered instead. */
  private void narrowDown(List<OutgoingEvent> events, String whyAlone) throws InterruptedException {
    if (events.size() == 1) {
      OutgoingEvent event = events.get(0);
      log.warn("job {}: event '{}' dead-lettered: {}", event.jobId(), event.name(), whyAlone);
      outcomes.put(
          event.jobId(), Outcome.deadLetter(DeadLetterReason.REJECTED_BY_DESTINATION, whyAlone));
      counters.rejections.increment();
      return;
    }
    counters.splits.increment();
    int half = events.size() / 2;
    send(events.subList(0, half));
    send(events.subList(half, events.size()));
  }

  private void stop(Reply reply, int events) {
    stoppedBy = reply;
    if (reply instanceof Reply.Trouble trouble) {
      String text =
          "the Inngest Event API at "
              + endpoint
              + " did not take "
              + events
              + " event(s): "
              + trouble.describe()
              + "; they are retried later with the same ids";
      log.warn("{}", text);
      handedBack = Outcome.failed(new EventApiException(trouble.status(), text));
    } else {
      handedBack = Outcome.retryAfter(pause);
    }
  }

  private void handBack(List<OutgoingEvent> events) {
    events.forEach(event -> outcomes.put(event.jobId(), handedBack));
    (handedBack instanceof Outcome.Failed ? counters.retries : counters.pauses).add(events.size());
  }

  private static String tooLargeText(List<OutgoingEvent> events, Reply.TooLarge tooLarge) {
    return "Inngest refused the event as too large (HTTP 413: "
        + tooLarge.error()
        + ") although it is "
        + events.get(0).size()
        + " bytes; set maxEventBytes to the event size limit of your Inngest plan";
  }
}
