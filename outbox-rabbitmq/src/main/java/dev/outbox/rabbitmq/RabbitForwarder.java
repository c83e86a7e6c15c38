package dev.outbox.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.BatchCounts;
import dev.outbox.drain.BatchHandler;
import dev.outbox.drain.Outcome;
import dev.outbox.internal.Pause;
import dev.outbox.job.Job;
import dev.outbox.job.JobCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards jobs to RabbitMQ: the drainer's batch handler, one persistent message per job, each
 * job's outcome decided by the broker's publisher confirm.
 *
 * <pre>{@code
 * ConnectionFactory factory = new ConnectionFactory();
 * factory.setUri("amqp://user:secret@rabbit:5672/shop");
 * RabbitForwarder<ShopJob> rabbit = RabbitForwarder.builder(outbox.codec())
 *     .connectionFactory(factory)
 *     .exchange("shop")                          // routing keys send-welcome-email, charge-card
 *     .build();
 * Drainer<ShopJob> drainer = outbox.drainer().batchHandler(rabbit).build();
 * }</pre>
 *
 * <p><b>Messages.</b> Published to the exchange with a routing key from the kind (prefix plus
 * dashed lowercase words; a {@code /} becomes {@code .}), or as mapped; body the payload's JSON in
 * UTF-8; persistent (delivery mode 2); {@code message-id} the event id, {@code type} the kind,
 * {@code timestamp} the enqueue time; headers {@code outbox-event-id}, {@code outbox-kind}, {@code
 * outbox-job-id} and {@code outbox-created-at}. The event id is the job's own (a UUID made at
 * enqueue), or for a job with an idempotency key one derived from the key and the kind: consumers
 * drop repeats by it.
 *
 * <p><b>Order.</b> A batch is published in job order on one channel, and jobs of one ordering key
 * run one at a time, so a key's messages reach a queue in enqueue order.
 *
 * <p><b>Outcomes.</b> Messages are published {@code mandatory}, then every confirm awaited: an
 * acknowledged message completes its job; one the broker returned as unroutable is dead-lettered
 * alone ({@link DeadLetterReason#REJECTED_BY_DESTINATION}) with the exchange and routing key; a
 * nack, a confirm timeout, or a channel or connection lost mid-batch sends the job again later
 * without using an attempt, with the same event id; access refused, a missing exchange or failed
 * authentication pause forwarding and log what to fix.
 *
 * <p>Thread-safe: one forwarder may serve several drainers. It opens one connection, reopened after
 * a loss, and one channel per batch. {@link #close()} closes the connection.
 *
 * @param <J> the sealed job root
 */
public final class RabbitForwarder<J> implements BatchHandler<J>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RabbitForwarder.class);

  /** The name the forwarder's connection shows in the broker's management tools. */
  public static final String CONNECTION_NAME = "outbox-forwarder";

  private final RabbitSettings<J> settings;
  private final Pause pause = new Pause();
  private Connection connection;

  RabbitForwarder(RabbitSettings<J> settings) {
    this.settings = settings;
  }

  /** Starts configuring a forwarder for jobs of this codec's root. */
  public static <J> RabbitForwarderBuilder<J> builder(JobCodec<J> codec) {
    return new RabbitForwarderBuilder<>(codec);
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
    Channel channel;
    try {
      channel = openChannel();
    } catch (IOException | TimeoutException | RuntimeException e) {
      Outcome outcome = unconfirmed(e, "could not open a channel");
      jobs.forEach(job -> outcomes.put(job.id(), outcome));
      counts.add("messagesNotConfirmed", jobs.size());
      return outcomes;
    }
    try {
      Confirms confirms = publish(channel, jobs, outcomes);
      confirms.await(System.nanoTime() + settings.confirmTimeout().toNanos());
      for (Job<J> job : jobs) {
        outcomes.computeIfAbsent(job.id(), id -> outcome(job, confirms, counts));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      Outcome later = Outcome.retryAfter(settings.retryDelay());
      jobs.forEach(job -> outcomes.putIfAbsent(job.id(), later));
    } finally {
      abort(channel);
    }
    return outcomes;
  }

  /** Closes the batch's channel; a confirm arriving after this changes nothing. */
  private static void abort(Channel channel) {
    try {
      channel.abort();
    } catch (IOException | RuntimeException e) {
      log.debug("closing a channel failed: {}", e.toString());
    }
  }

  /** Publishes the batch in job order; a job it cannot map gets its failure in {@code outcomes}. */
  private Confirms publish(Channel channel, List<Job<J>> jobs, Map<Long, Outcome> outcomes) {
    Confirms confirms = new Confirms();
    channel.addConfirmListener(confirms);
    channel.addReturnListener(confirms);
    channel.addShutdownListener(confirms);
    RabbitMessages<J> messages = settings.messages();
    for (Job<J> job : jobs) {
      RabbitMessages.Message message;
      try {
        message = messages.of(job);
      } catch (RuntimeException e) {
        outcomes.put(job.id(), Outcome.failed(e));
        continue;
      }
      confirms.published(channel.getNextPublishSeqNo(), job.id());
      try {
        channel.basicPublish(
            messages.exchange(), message.routingKey(), true, message.properties(), message.body());
      } catch (IOException | ShutdownSignalException e) {
        break; // the channel is gone: this job and the rest stay unconfirmed
      }
    }
    return confirms;
  }

  private Outcome outcome(Job<J> job, Confirms confirms, BatchCounts counts) {
    Confirms.State state = confirms.state(job.id());
    counts.add(
        switch (state) {
          case ACKED -> "messagesConfirmed";
          case RETURNED -> "messagesReturned";
          case NACKED, UNKNOWN -> "messagesNotConfirmed";
        },
        1);
    return switch (state) {
      case ACKED -> Outcome.done();
      case RETURNED -> {
        String why = confirms.returnReason(job.id());
        log.warn("job {} ({}): {}", job.id(), job.kind(), why);
        yield Outcome.deadLetter(DeadLetterReason.REJECTED_BY_DESTINATION, why);
      }
      case NACKED -> later(job, "the broker nacked the message");
      case UNKNOWN ->
          confirms.shutdown() != null
              ? unconfirmed(confirms.shutdown(), "the channel closed before the confirm")
              : later(job, "no confirm within " + settings.confirmTimeout() + " (confirmTimeout)");
    };
  }

  /** The outcome of a job whose message may or may not have been taken, after {@code cause}. */
  private Outcome unconfirmed(Throwable cause, String what) {
    if (ChannelErrors.classify(cause) == ChannelErrors.MISCONFIGURED) {
      Duration left = pause.start(settings.misconfigurationPause());
      log.error(
          "RabbitMQ refused this forwarder on exchange '{}': {}. Create the exchange, or grant the"
              + " user write permission on it (rabbitmqctl set_permissions), or fix its"
              + " credentials; forwarding is paused for {} and jobs stay pending without using an"
              + " attempt.",
          settings.messages().exchange(),
          cause.getMessage(),
          settings.misconfigurationPause());
      return Outcome.retryAfter(left);
    }
    log.debug("{}, sent again in {}: {}", what, settings.retryDelay(), cause.toString());
    return Outcome.retryAfter(settings.retryDelay());
  }

  /** The message may or may not be queued: publish it again later, with the same message-id. */
  private Outcome later(Job<J> job, String why) {
    log.debug(
        "job {} ({}): not confirmed, published again in {}: {}",
        job.id(),
        job.kind(),
        settings.retryDelay(),
        why);
    return Outcome.retryAfter(settings.retryDelay());
  }

  private Channel openChannel() throws IOException, TimeoutException {
    Channel channel = connection().createChannel();
    if (channel == null) {
      throw new IOException("the connection has no free channel (channel_max reached)");
    }
    channel.confirmSelect();
    return channel;
  }

  /** The open connection, opened again after a loss. */
  synchronized Connection connection() throws IOException, TimeoutException {
    if (connection == null || !connection.isOpen()) {
      if (connection != null) {
        connection.abort();
      }
      connection = settings.connectionFactory().newConnection(CONNECTION_NAME);
    }
    return connection;
  }

  /** Closes the connection; batches still publishing see it closed and retry their jobs. */
  @Override
  public synchronized void close() {
    if (connection != null) {
      connection.abort(10_000);
      connection = null;
    }
  }

  @Override
  public String toString() {
    return "RabbitForwarder[host="
        + settings.connectionFactory().getHost()
        + ", exchange="
        + settings.messages().exchange()
        + ", confirmTimeout="
        + settings.confirmTimeout()
        + "]";
  }
}
