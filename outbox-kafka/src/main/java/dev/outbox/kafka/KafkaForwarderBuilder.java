package dev.outbox.kafka;

import dev.outbox.OutboxException;
import dev.outbox.job.JobCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Configures a {@link KafkaForwarder}. Every setting is checked by {@link #build()}, which fails
 * with the setting's name and bad value.
 *
 * <p>Producer defaults the forwarder sets unless given: {@code acks=all}, {@code
 * enable.idempotence=true}, {@code max.block.ms=10000}, {@code request.timeout.ms=10000}, {@code
 * delivery.timeout.ms=30000}. Refused: {@code acks} other than {@code all}/{@code -1}, {@code
 * enable.idempotence=false}, {@code max.in.flight.requests.per.connection} over 5 and {@code
 * retries=0} (each lets a retried send duplicate, reorder or drop a record), serializers (the
 * forwarder sends bytes) and {@code transactional.id} (it uses no Kafka transactions).
 *
 * @param <J> the sealed job root
 */
public final class KafkaForwarderBuilder<J> {
  /** How long forwarding pauses after an authorization error: 1 minute. */
  public static final Duration DEFAULT_MISCONFIGURATION_PAUSE = Duration.ofMinutes(1);

  /** When a record that was not acknowledged is sent again: after 2 seconds. */
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(2);

  private static final Map<String, Object> DEFAULTS =
      Map.of(
          "acks", "all",
          "enable.idempotence", "true",
          "max.block.ms", "10000",
          "request.timeout.ms", "10000",
          "delivery.timeout.ms", "30000");

  private final JobCodec<J> codec;
  private final Map<String, Object> producerConfig = new HashMap<>();
  private String topicPrefix = "";
  private final Map<Class<?>, String> topics = new LinkedHashMap<>();
  private Function<? super J, String> topicFunction;
  private final Map<Class<?>, Function<Object, String>> keys = new LinkedHashMap<>();
  private Function<? super J, byte[]> values;
  private Duration sendTimeout;
  private Duration retryDelay = DEFAULT_RETRY_DELAY;
  private Duration misconfigurationPause = DEFAULT_MISCONFIGURATION_PAUSE;

  KafkaForwarderBuilder(JobCodec<J> codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  /** The producer's configuration; {@code bootstrap.servers} is required. */
  public KafkaForwarderBuilder<J> producerConfig(Map<String, ?> config) {
    producerConfig.putAll(Objects.requireNonNull(config, "config"));
    return this;
  }

  /** Prefixes the topic made from each kind (default: none). */
  public KafkaForwarderBuilder<J> topicPrefix(String prefix) {
    this.topicPrefix = Objects.requireNonNull(prefix, "prefix");
    return this;
  }

  /** Sends jobs of this leaf type to {@code topic}. */
  public KafkaForwarderBuilder<J> topic(Class<? extends J> leaf, String topic) {
    topics.put(Objects.requireNonNull(leaf, "leaf"), Objects.requireNonNull(topic, "topic"));
    return this;
  }

  /** Chooses the topic of every job not mapped by {@link #topic(Class, String)}. */
  public KafkaForwarderBuilder<J> topic(Function<? super J, String> topicOfJob) {
    this.topicFunction = Objects.requireNonNull(topicOfJob, "topicOfJob");
    return this;
  }

  /**
   * The record key of jobs of this leaf type (default: the job's ordering key). Records with one
   * key go to one partition; only jobs with one ordering key are sent one at a time, in order.
   */
  @SuppressWarnings("unchecked")
  public <L extends J> KafkaForwarderBuilder<J> key(
      Class<L> leaf, Function<? super L, String> key) {
    Objects.requireNonNull(key, "key");
    keys.put(Objects.requireNonNull(leaf, "leaf"), job -> key.apply((L) job));
    return this;
  }

  /**
   * The record value of every job (default: the payload's JSON, UTF-8), e.g. for a schema registry.
   */
  public KafkaForwarderBuilder<J> value(Function<? super J, byte[]> value) {
    this.values = Objects.requireNonNull(value, "value");
    return this;
  }

  /**
   * How long a batch waits for its acknowledgements before treating the rest as unknown (sent again
   * later). Default: {@code max.block.ms} plus {@code delivery.timeout.ms} plus 5 seconds. Keep the
   * drainer's lease longer, or a slow batch is claimed again while it is still being sent.
   */
  public KafkaForwarderBuilder<J> sendTimeout(Duration timeout) {
    this.sendTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /** When a record that was not acknowledged is sent again (default 2 s); uses no attempt. */
  public KafkaForwarderBuilder<J> retryDelay(Duration delay) {
    this.retryDelay = Objects.requireNonNull(delay, "delay");
    return this;
  }

  /** How long forwarding pauses after an authorization error (default 1 minute). */
  public KafkaForwarderBuilder<J> misconfigurationPause(Duration pause) {
    this.misconfigurationPause = Objects.requireNonNull(pause, "pause");
    return this;
  }

  /**
   * Checks the settings and creates the forwarder and its producer.
   *
   * @throws OutboxException.Misconfigured naming the setting and why
   */
  public KafkaForwarder<J> build() {
    Map<String, Object> config = new HashMap<>(DEFAULTS);
    config.putAll(producerConfig);
    ProducerChecks.check(config);
    requirePositive("retryDelay", retryDelay);
    requirePositive("misconfigurationPause", misconfigurationPause);
    Duration timeout =
        sendTimeout != null
            ? sendTimeout
            : Duration.ofMillis(
                millis(config, "max.block.ms") + millis(config, "delivery.timeout.ms") + 5_000);
    requirePositive("sendTimeout", timeout);
    KafkaRecords<J> records =
        new KafkaRecords<>(codec, topicPrefix, topics, topicFunction, keys, values);
    return new KafkaForwarder<>(
        new KafkaSettings<>(config, records, timeout, retryDelay, misconfigurationPause));
  }

  private static long millis(Map<String, Object> config, String name) {
    return Long.parseLong(String.valueOf(config.get(name)).strip());
  }

  private static void requirePositive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new OutboxException.Misconfigured(name + " must be positive, was " + value);
    }
  }
}
