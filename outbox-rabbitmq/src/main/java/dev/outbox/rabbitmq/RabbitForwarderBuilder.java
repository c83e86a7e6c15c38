package dev.outbox.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import dev.outbox.OutboxException;
import dev.outbox.job.JobCodec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Configures a {@link RabbitForwarder}. Every setting is checked by {@link #build()}, which fails
 * with the setting's name and bad value. {@link #connectionFactory} and {@link #exchange} are
 * required.
 *
 * <p>The forwarder works on its own copy of the factory, taken at {@code build()}, with the
 * client's automatic recovery turned off: it opens a connection again itself, and publishes each
 * batch on a fresh channel, so that no confirm is matched to the wrong message after a recovery.
 *
 * @param <J> the sealed job root
 */
public final class RabbitForwarderBuilder<J> {
  /** How long a batch waits for its publisher confirms: 30 seconds. */
  public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(30);

  /** When a message that was not confirmed is published again: after 2 seconds. */
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(2);

  /** How long forwarding pauses after access refused or a missing exchange: 1 minute. */
  public static final Duration DEFAULT_MISCONFIGURATION_PAUSE = Duration.ofMinutes(1);

  private final JobCodec<J> codec;
  private ConnectionFactory connectionFactory;
  private String exchange;
  private String routingKeyPrefix = "";
  private final Map<Class<?>, String> routingKeys = new LinkedHashMap<>();
  private Function<? super J, String> routingKeyFunction;
  private Duration confirmTimeout = DEFAULT_CONFIRM_TIMEOUT;
  private Duration retryDelay = DEFAULT_RETRY_DELAY;
  private Duration misconfigurationPause = DEFAULT_MISCONFIGURATION_PAUSE;

  RabbitForwarderBuilder(JobCodec<J> codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  /** Where and as whom to connect (host, port, virtual host, credentials, TLS). Required. */
  public RabbitForwarderBuilder<J> connectionFactory(ConnectionFactory factory) {
    this.connectionFactory = Objects.requireNonNull(factory, "factory");
    return this;
  }

  /** The exchange every message is published to; {@code ""} is the default exchange. Required. */
  public RabbitForwarderBuilder<J> exchange(String exchange) {
    this.exchange = Objects.requireNonNull(exchange, "exchange");
    return this;
  }

  /** Prefixes the routing key made from each kind (default: none). */
  public RabbitForwarderBuilder<J> routingKeyPrefix(String prefix) {
    this.routingKeyPrefix = Objects.requireNonNull(prefix, "prefix");
    return this;
  }

  /** Publishes jobs of this leaf type with {@code routingKey}. */
  public RabbitForwarderBuilder<J> routingKey(Class<? extends J> leaf, String routingKey) {
    routingKeys.put(
        Objects.requireNonNull(leaf, "leaf"), Objects.requireNonNull(routingKey, "routingKey"));
    return this;
  }

  /** Chooses the routing key of every job not mapped by {@link #routingKey(Class, String)}. */
  public RabbitForwarderBuilder<J> routingKey(Function<? super J, String> routingKeyOfJob) {
    this.routingKeyFunction = Objects.requireNonNull(routingKeyOfJob, "routingKeyOfJob");
    return this;
  }

  /**
   * How long a batch waits for its publisher confirms before publishing the rest again later
   * (default 30 s). Keep the drainer's lease longer, or a slow batch is claimed again while it is
   * still being confirmed.
   */
  public RabbitForwarderBuilder<J> confirmTimeout(Duration timeout) {
    this.confirmTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /** When a message that was not confirmed is published again (default 2 s); uses no attempt. */
  public RabbitForwarderBuilder<J> retryDelay(Duration delay) {
    this.retryDelay = Objects.requireNonNull(delay, "delay");
    return this;
  }

  /** How long forwarding pauses after access refused or a missing exchange (default 1 minute). */
  public RabbitForwarderBuilder<J> misconfigurationPause(Duration pause) {
    this.misconfigurationPause = Objects.requireNonNull(pause, "pause");
    return this;
  }

  /**
   * Checks the settings and creates the forwarder; it connects at its first batch.
   *
   * @throws OutboxException.Misconfigured naming the setting and why
   */
  public RabbitForwarder<J> build() {
    if (connectionFactory == null) {
      throw new OutboxException.Misconfigured(
          "connectionFactory is required: where and as whom to connect to RabbitMQ");
    }
    if (exchange == null) {
      throw new OutboxException.Misconfigured(
          "exchange is required: the exchange to publish to, e.g. shop (\"\" for the default"
              + " exchange)");
    }
    requirePositive("confirmTimeout", confirmTimeout);
    requirePositive("retryDelay", retryDelay);
    requirePositive("misconfigurationPause", misconfigurationPause);
    ConnectionFactory factory = connectionFactory.clone();
    factory.setAutomaticRecoveryEnabled(false);
    factory.setTopologyRecoveryEnabled(false);
    RabbitMessages<J> messages =
        new RabbitMessages<>(codec, exchange, routingKeyPrefix, routingKeys, routingKeyFunction);
    return new RabbitForwarder<>(
        new RabbitSettings<>(factory, messages, confirmTimeout, retryDelay, misconfigurationPause));
  }

  private static void requirePositive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new OutboxException.Misconfigured(name + " must be positive, was " + value);
    }
  }
}
