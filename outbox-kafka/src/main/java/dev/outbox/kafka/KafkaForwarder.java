package dev.outbox.kafka;

import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.BatchCounts;
import dev.outbox.drain.BatchHandler;
import dev.outbox.drain.Outcome;
import dev.outbox.internal.Pause;
import dev.outbox.job.Job;
import dev.outbox.job.JobCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards jobs to Apache Kafka: the drainer's batch handler, one record per job.
 *
 * <pre>{@code
 * KafkaForwarder<ShopJob> kafka = KafkaForwarder.builder(outbox.codec())
 *     .producerConfig(Map.of("bootstrap.servers", "broker:9092"))
 *     .topicPrefix("shop.")                      // shop.send-welcome-email, shop.charge-card
 *     .build();
 * Drainer<ShopJob> drainer = outbox.drainer().batchHandler(kafka).build();
 * }</pre>
 *
 * <p><b>Records.</b> Topic from the kind (prefix plus dashed lowercase words; a {@code /} becomes
 * {@code .}), or as mapped; key the job's ordering key (none without one), or as mapped; value the
 * payload's JSON in UTF-8, or as mapped; headers {@value KafkaRecords#EVENT_ID}, {@value
 * KafkaRecords#KIND}, {@value KafkaRecords#JOB_ID} and {@value KafkaRecords#CREATED_AT}. The event
 * id is the job's own (a UUID made at enqueue), or for a job with an idempotency key one derived
 * from the key and the kind: consumers drop repeats by it.
 *
 * <p><b>Order and safety.</b> The producer is idempotent with {@code acks=all}; a configuration
 * that could lose or reorder a record is refused when the forwarder is built. Jobs of one ordering
 * key run one at a time, so a key's records reach their partition in enqueue order.
 *
 * <p><b>Outcomes.</b> Every record of the batch is sent, then each acknowledgement awaited: an
 * acknowledged record completes its job; a record the broker can never take (too large, an invalid
 * topic) is dead-lettered alone with the broker's reason; transient errors and timeouts (also a
 * missing topic where the broker does not create topics) send the job again later without using an
 * attempt, with the same event id; authorization errors pause forwarding and log what to fix.
 *
 * <p>Thread-safe: one forwarder may serve several drainers. {@link #close()} closes the producer.
 *
 * @param <J> the sealed job root
 */
public final class KafkaForwarder<J> implements BatchHandler<J>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaForwarder.class);

  private final KafkaSettings<J> settings;
  private final Producer<byte[], byte[]> producer;
  private final Pause pause = new Pause();

  KafkaForwarder(KafkaSettings<J> settings) {
    this.settings = settings;
    this.producer =
        new KafkaProducer<>(
            settings.producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Starts configuring a forwarder for jobs of this codec's root. */
  public static <J> KafkaForwarderBuilder<J> builder(JobCodec<J> codec) {
    return new KafkaForwarderBuilder<>(codec);
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
    List<Sent<J>> sent = new ArrayList<>(jobs.size());
    for (Job<J> job : jobs) {
      ProducerRecord<byte[], byte[]> record;
      try {
        record = settings.records().of(job);
      } catch (RuntimeException e) {
        outcomes.put(job.id(), Outcome.failed(e));
        continue;
      }
      sent.add(new Sent<>(job, record, producer.send(record)));
    }
    long deadline = System.nanoTime() + settings.sendTimeout().toNanos();
    for (Sent<J> each : sent) {
      Outcome outcome = await(each, deadline);
      outcomes.put(each.job().id(), outcome);
      count(outcome, counts);
    }
    return outcomes;
  }

  private Outcome await(Sent<J> sent, long deadline) {
    try {
      sent.ack().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return Outcome.done();
    } catch (ExecutionException e) {
      return failure(sent, e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      return unknown(
          sent, "no acknowledgement within " + settings.sendTimeout() + " (sendTimeout)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unknown(sent, "interrupted while awaiting the acknowledgement");
    }
  }

  private Outcome failure(Sent<J> sent, Throwable cause) {
    Job<J> job = sent.job();
    String topic = sent.record().topic();
    return switch (SendErrors.classify(cause)) {
      case REJECTED -> {
        log.warn(
            "job {} ({}): Kafka refused its record for {}: {}",
            job.id(),
            job.kind(),
            topic,
            cause.toString());
        yield Outcome.deadLetter(
            DeadLetterReason.REJECTED_BY_DESTINATION,
            "Kafka refused the record for topic " + topic + ": " + cause);
      }
      case MISCONFIGURED -> {
        Duration left = pause.start(settings.misconfigurationPause());
        log.error(
            "Kafka refused to let this producer write to {}: {}. Grant the principal WRITE on the"
                + " topic (and IDEMPOTENT_WRITE on the cluster) or fix its credentials; forwarding"
                + " is paused for {} and jobs stay pending without using an attempt.",
            topic,
            cause.toString(),
            settings.misconfigurationPause());
        yield Outcome.retryAfter(left);
      }
      case TRANSIENT -> unknown(sent, cause.toString());
      case OTHER -> Outcome.failed(cause);
    };
  }

  /** The record may or may not be written: send it again later, with the same event id. */
  private Outcome unknown(Sent<J> sent, String why) {
    log.debug(
        "job {} ({}): not acknowledged by {}, sent again in {}: {}",
        sent.job().id(),
        sent.job().kind(),
        sent.record().topic(),
        settings.retryDelay(),
        why);
    return Outcome.retryAfter(settings.retryDelay());
  }

  private static void count(Outcome outcome, BatchCounts counts) {
    if (outcome instanceof Outcome.Done) {
      counts.add("recordsAcknowledged", 1);
    } else if (outcome instanceof Outcome.DeadLetterNow) {
      counts.add("recordsRejected", 1);
    } else {
      counts.add("recordsNotAcknowledged", 1);
    }
  }

  /** Closes the producer, waiting up to 30 s for records it still holds. */
  @Override
  public void close() {
    producer.close(Duration.ofSeconds(30));
  }

  @Override
  public String toString() {
    return "KafkaForwarder[bootstrap.servers="
        + settings.producerConfig().get("bootstrap.servers")
        + ", sendTimeout="
        + settings.sendTimeout()
        + "]";
  }

  /** A job's record and the broker's acknowledgement to come. */
  private record Sent<J>(
      Job<J> job, ProducerRecord<byte[], byte[]> record, Future<RecordMetadata> ack) {}
}
