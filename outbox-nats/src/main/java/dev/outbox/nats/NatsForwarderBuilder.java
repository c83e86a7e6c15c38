package dev.outbox.nats;

import dev.outbox.OutboxException;
import dev.outbox.job.JobCodec;
import io.nats.client.Options;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Configures a {@link NatsForwarder}. Every setting is checked by {@link #build()}, which fails
 * with the setting's name and bad value.
 *
 * @param <J> the sealed job root
 */
public final class NatsForwarderBuilder<J> {
  /** How long a batch waits for its publish acks: 10 seconds. */
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(10);

  /** When a message that was not acknowledged is published again: after 2 seconds. */
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(2);

  /** How long forwarding pauses after a publish to a subject no stream stores: 1 minute. */
  public static final Duration DEFAULT_MISSING_STREAM_PAUSE = Duration.ofMinutes(1);

  private final JobCodec<J> codec;
  private Options options;
  private String subjectPrefix = "";
  private final Map<Class<?>, String> subjects = new LinkedHashMap<>();
  private Function<? super J, String> subjectFunction;
  private Function<? super J, byte[]> bodies;
  private Duration ackTimeout = DEFAULT_ACK_TIMEOUT;
  private Duration retryDelay = DEFAULT_RETRY_DELAY;
  private Duration missingStreamPause = DEFAULT_MISSING_STREAM_PAUSE;

  NatsForwarderBuilder(JobCodec<J> codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  /**
   * The connection's options (servers, credentials, TLS, reconnects); required. The forwarder opens
   * its own connection with them in {@link #build()} and closes it in {@link
   * NatsForwarder#close()}.
   */
  public NatsForwarderBuilder<J> options(Options options) {
    this.options = Objects.requireNonNull(options, "options");
    return this;
  }

  /** Prefixes the subject made from each kind (default: none), e.g. {@code "shop."}. */
  public NatsForwarderBuilder<J> subjectPrefix(String prefix) {
    this.subjectPrefix = Objects.requireNonNull(prefix, "prefix");
    return this;
  }

  /** Publishes jobs of this leaf type to {@code subject}. */
  public NatsForwarderBuilder<J> subject(Class<? extends J> leaf, String subject) {
    subjects.put(Objects.requireNonNull(leaf, "leaf"), Objects.requireNonNull(subject, "subject"));
    return this;
  }

  /** Chooses the subject of every job not mapped by {@link #subject(Class, String)}. */
  public NatsForwarderBuilder<J> subject(Function<? super J, String> subjectOfJob) {
    this.subjectFunction = Objects.requireNonNull(subjectOfJob, "subjectOfJob");
    return this;
  }

  /** The message body of every job (default: the payload's JSON, UTF-8). */
  public NatsForwarderBuilder<J> body(Function<? super J, byte[]> body) {
    this.bodies = Objects.requireNonNull(body, "body");
    return this;
  }

  /**
   * How long a batch waits for its publish acks before treating the rest as unknown (published
   * again later), default 10 s. Keep the drainer's lease longer.
   */
  public NatsForwarderBuilder<J> ackTimeout(Duration timeout) {
    this.ackTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /** When a message that was not acknowledged is published again (default 2 s); no attempt. */
  public NatsForwarderBuilder<J> retryDelay(Duration delay) {
    this.retryDelay = Objects.requireNonNull(delay, "delay");
    return this;
  }

  /** How long forwarding pauses after a subject no stream stores (default 1 minute). */
  public NatsForwarderBuilder<J> missingStreamPause(Duration pause) {
    this.missingStreamPause = Objects.requireNonNull(pause, "pause");
    return this;
  }

  /**
   * Checks the settings, then connects.
   *
   * @throws OutboxException.Misconfigured naming the setting and why, or when NATS cannot be
   *     reached with the options
   */
  public NatsForwarder<J> build() {
    if (options == null) {
      throw new OutboxException.Misconfigured(
          "options is required: the NATS connection's options, e.g. new"
              + " Options.Builder().server(\"nats://nats:4222\").build()");
    }
    if (subjectPrefix.contains("*")
        || subjectPrefix.contains(">")
        || subjectPrefix.isBlank() && !subjectPrefix.isEmpty()) {
      throw new OutboxException.Misconfigured(
          "subjectPrefix must hold no wildcard and not be blank, was '" + subjectPrefix + "'");
    }
    requirePositive("ackTimeout", ackTimeout);
    requirePositive("retryDelay", retryDelay);
    requirePositive("missingStreamPause", missingStreamPause);
    NatsMessages<J> messages =
        new NatsMessages<>(codec, subjectPrefix, subjects, subjectFunction, bodies);
    return new NatsForwarder<>(
        new NatsSettings<>(options, messages, ackTimeout, retryDelay, missingStreamPause));
  }

  private static void requirePositive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new OutboxException.Misconfigured(name + " must be positive, was " + value);
    }
  }
}
