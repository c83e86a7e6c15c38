package dev.outbox.nats;

import dev.outbox.OutboxException;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.BatchCounts;
import dev.outbox.drain.BatchHandler;
import dev.outbox.drain.Outcome;
import dev.outbox.internal.Pause;
import dev.outbox.job.Job;
import dev.outbox.job.JobCodec;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.api.PublishAck;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards jobs to NATS JetStream: the drainer's batch handler, one message per job.
 *
 * <pre>{@code
 * NatsForwarder<ShopJob> nats = NatsForwarder.builder(outbox.codec())
 *     .options(new Options.Builder().server("nats://nats:4222").build())
 *     .subjectPrefix("shop.")                    // shop.send-welcome-email, shop.charge-card
 *     .build();
 * Drainer<ShopJob> drainer = outbox.drainer().batchHandler(nats).build();
 * }</pre>
 *
 * <p><b>Messages.</b> Subject from the kind (prefix plus dashed lowercase words; a {@code /}
 * becomes {@code .}), or as mapped; body the payload's JSON in UTF-8, or as mapped; headers {@value
 * NatsMessages#MSG_ID} and {@code outbox-event-id} (both the event id), {@code outbox-kind}, {@code
 * outbox-job-id} and {@code outbox-created-at}. The stream drops a message whose {@code
 * Nats-Msg-Id} it stored within its duplicate window (2 minutes unless configured), so a job sent
 * again is stored once.
 *
 * <p><b>Order.</b> Jobs of one ordering key run one at a time and complete only once their publish
 * is acknowledged, so a stream stores a key's messages in enqueue order.
 *
 * <p><b>Outcomes.</b> Every message of the batch is published, then each publish ack awaited: an
 * ack completes its job, a duplicate ack too; a timeout or an I/O error publishes the job again
 * after the retry delay without using an attempt, under the same id; no stream for the subject
 * (503, no responders) pauses forwarding and logs what stream to create, using no attempt; a
 * stream's refusal uses an attempt; a message the client cannot send (over the server's max
 * payload, an invalid subject) is dead-lettered alone.
 *
 * <p>Thread-safe: one forwarder may serve several drainers. {@link #close()} closes its connection.
 *
 * @param <J> the sealed job root
 */
public final class NatsForwarder<J> implements BatchHandler<J>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NatsForwarder.class);

  private final NatsSettings<J> settings;
  private final Connection connection;
  private final JetStream jetStream;
  private final Pause pause = new Pause();

  NatsForwarder(NatsSettings<J> settings) {
    this.settings = settings;
    try {
      this.connection = Nats.connect(settings.options());
      this.jetStream = connection.jetStream();
    } catch (IOException e) {
      throw new OutboxException.Misconfigured(
          "could not connect to NATS at " + settings.options().getServers() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OutboxException("interrupted while connecting to NATS", e);
    }
  }

  /** Starts configuring a forwarder for jobs of this codec's root. */
  public static <J> NatsForwarderBuilder<J> builder(JobCodec<J> codec) {
    return new NatsForwarderBuilder<>(codec);
  }

  @Override
  public Map<Long, Outcome> handle(List<Job<J>> jobs) {
    return handle(jobs, BatchCounts.NONE);
  }

  @Override
  public Map<Long, Outcome> handle(List<Job<J>> jobs, BatchCounts counts) {
    Map<Long, Outcome> held = pause.holdBack(jobs, counts);
    if (held != null) {
      return held;
    }
    Map<Long, Outcome> outcomes = new LinkedHashMap<>();
    List<Published<J>> published = new ArrayList<>(jobs.size());
    for (Job<J> job : jobs) {
      Outcome refused = publish(job, published);
      if (refused != null) {
        outcomes.put(job.id(), refused);
      }
    }
    long deadline = System.nanoTime() + settings.ackTimeout().toNanos();
    for (Published<J> each : published) {
      Outcome outcome = await(each, deadline, counts);
      outcomes.put(each.job().id(), outcome);
      count(outcome, counts);
    }
    return outcomes;
  }

  /** Publishes the job's message and adds it to {@code published}, or says why it could not. */
  private Outcome publish(Job<J> job, List<Published<J>> published) {
    NatsMessages.Message message;
    try {
      message = settings.messages().of(job);
    } catch (RuntimeException e) {
      return Outcome.failed(e);
    }
    try {
      published.add(
          new Published<>(
              job,
              message.subject(),
              jetStream.publishAsync(message.subject(), message.headers(), message.body())));
      return null;
    } catch (IllegalArgumentException e) {
      // The client refuses it before sending (over max payload, an invalid subject): never
      // sendable.
      log.warn("job {} ({}): NATS cannot publish it: {}", job.id(), job.kind(), e.toString());
      return Outcome.deadLetter(
          DeadLetterReason.REJECTED_BY_DESTINATION,
          "NATS cannot publish to " + message.subject() + ": " + e.getMessage());
    } catch (IllegalStateException e) {
      return unknown(job, message.subject(), e.toString()); // closed or reconnecting
    }
  }

  private Outcome await(Published<J> published, long deadline, BatchCounts counts) {
    try {
      PublishAck ack =
          published.ack().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (ack.isDuplicate()) {
        counts.add("duplicatesDropped", 1); // the stream holds it already: done as well
      }
      return Outcome.done();
    } catch (ExecutionException e) {
      return failure(published, e.getCause());
    } catch (TimeoutException e) {
      return unknown(
          published.job(),
          published.subject(),
          "no publish ack within " + settings.ackTimeout() + " (ackTimeout)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unknown(published.job(), published.subject(), "interrupted awaiting the publish ack");
    }
  }

  private Outcome failure(Published<J> published, Throwable cause) {
    Job<J> job = published.job();
    Throwable root = PublishErrors.root(cause);
    return switch (PublishErrors.classify(cause)) {
      case NO_STREAM -> {
        boolean starts = pause.left().isZero();
        Duration left = pause.start(settings.missingStreamPause());
        if (starts) {
          log.error(
              "No JetStream stream stores subject {} ({}). Create one whose subjects match it, e.g."
                  + " `nats stream add <NAME> --subjects '{}'`; forwarding is paused for {} and jobs"
                  + " stay pending without using an attempt.",
              published.subject(),
              root.getMessage(),
              published.subject(),
              settings.missingStreamPause());
        }
        yield Outcome.retryAfter(left);
      }
      case REFUSED -> Outcome.failed(root);
      case TRANSIENT -> unknown(job, published.subject(), root.toString());
    };
  }

  /** The message may or may not be stored: publish it again later, under the same id. */
  private Outcome unknown(Job<J> job, String subject, String why) {
    log.debug(
        "job {} ({}): not acknowledged on {}, published again in {}: {}",
        job.id(),
        job.kind(),
        subject,
        settings.retryDelay(),
        why);
    return Outcome.retryAfter(settings.retryDelay());
  }

  private static void count(Outcome outcome, BatchCounts counts) {
    if (outcome instanceof Outcome.Done) {
      counts.add("messagesAcknowledged", 1);
    } else if (outcome instanceof Outcome.Failed) {
      counts.add("messagesRefused", 1);
    } else {
      counts.add("messagesNotAcknowledged", 1);
    }
  }

  /** Closes the connection, after publishing what it still buffers. */
  @Override
  public void close() {
    try {
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "NatsForwarder[servers="
        + settings.options().getServers()
        + ", ackTimeout="
        + settings.ackTimeout()
        + "]";
  }

  /** A job's publish and the stream's ack to come. */
  private record Published<J>(Job<J> job, String subject, CompletableFuture<PublishAck> ack) {}
}
