package dev.outbox.rabbitmq;

import com.rabbitmq.client.AMQP;
import dev.outbox.internal.EventIds;
import dev.outbox.internal.KindNames;
import dev.outbox.job.Job;
import dev.outbox.job.JobCodec;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;
import java.util.function.Function;

/** Maps a job to its message: exchange, routing key, properties and body. Immutable. */
final class RabbitMessages<J> {
  private static final int PERSISTENT = 2;

  private final JobCodec<J> codec;
  private final String exchange;
  private final String routingKeyPrefix;
  private final Map<Class<?>, String> routingKeys;
  private final Function<? super J, String> routingKeyFunction;

  RabbitMessages(
      JobCodec<J> codec,
      String exchange,
      String routingKeyPrefix,
      Map<Class<?>, String> routingKeys,
      Function<? super J, String> routingKeyFunction) {
    this.codec = codec;
    this.exchange = exchange;
    this.routingKeyPrefix = routingKeyPrefix;
    this.routingKeys = Map.copyOf(routingKeys);
    this.routingKeyFunction = routingKeyFunction;
  }

  String exchange() {
    return exchange;
  }

  Message of(Job<J> job) {
    byte[] body = codec.encode(job.payload()).payload().getBytes(StandardCharsets.UTF_8);
    String eventId = EventIds.of(job, job.kind());
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .deliveryMode(PERSISTENT)
            .contentType("application/json")
            .contentEncoding("utf-8")
            .messageId(eventId)
            .type(job.kind())
            .timestamp(Date.from(job.createdAt()))
            .headers(
                Map.of(
                    EventIds.EVENT_ID_HEADER, eventId,
                    EventIds.KIND_HEADER, job.kind(),
                    EventIds.JOB_ID_HEADER, Long.toString(job.id()),
                    EventIds.CREATED_AT_HEADER, Long.toString(job.createdAt().toEpochMilli())))
            .build();
    return new Message(routingKeyOf(job), properties, body);
  }

  private String routingKeyOf(Job<J> job) {
    String mapped = routingKeys.get(job.payload().getClass());
    if (mapped != null) {
      return mapped;
    }
    if (routingKeyFunction != null) {
      return routingKeyFunction.apply(job.payload());
    }
    return defaultRoutingKey(routingKeyPrefix, job.kind());
  }

  /**
   * The prefix and the kind as dashed lowercase words, {@code /} as {@code .} so that topic
   * exchanges can match on its parts: {@code SendWelcomeEmail} becomes {@code send-welcome-email},
   * {@code db/users.created} becomes {@code db.users.created}.
   */
  static String defaultRoutingKey(String prefix, String kind) {
    return prefix + KindNames.dashed(kind.replace('/', '.'));
  }

  /** What is published for one job. */
  record Message(String routingKey, AMQP.BasicProperties properties, byte[] body) {}
}
