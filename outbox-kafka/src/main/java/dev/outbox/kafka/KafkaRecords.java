package dev.outbox.kafka;

import dev.outbox.internal.EventIds;
import dev.outbox.internal.KindNames;
import dev.outbox.job.Job;
import dev.outbox.job.JobCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Maps a job to its record: topic, key, value and the outbox's headers. Immutable. */
final class KafkaRecords<J> {
  /** Header: the event id consumers deduplicate by. */
  static final String EVENT_ID = EventIds.EVENT_ID_HEADER;

  /** Header: the job's kind. */
  static final String KIND = EventIds.KIND_HEADER;

  /** Header: the job's id in its table (unique there only). */
  static final String JOB_ID = EventIds.JOB_ID_HEADER;

  /** Header: when the job was enqueued, epoch milliseconds. */
  static final String CREATED_AT = EventIds.CREATED_AT_HEADER;

  private final JobCodec<J> codec;
  private final String topicPrefix;
  private final Map<Class<?>, String> topics;
  private final Function<? super J, String> topicFunction;
  private final Map<Class<?>, Function<Object, String>> keys;
  private final Function<? super J, byte[]> values;

  KafkaRecords(
      JobCodec<J> codec,
      String topicPrefix,
      Map<Class<?>, String> topics,
      Function<? super J, String> topicFunction,
      Map<Class<?>, Function<Object, String>> keys,
      Function<? super J, byte[]> values) {
    this.codec = codec;
    this.topicPrefix = topicPrefix;
    this.topics = Map.copyOf(topics);
    this.topicFunction = topicFunction;
    this.keys = Map.copyOf(keys);
    this.values = values;
  }

  ProducerRecord<byte[], byte[]> of(Job<J> job) {
    J payload = job.payload();
    String topic = topicOf(job);
    String key = keyOf(job);
    byte[] value =
        values != null
            ? values.apply(payload)
            : codec.encode(payload).payload().getBytes(StandardCharsets.UTF_8);
    RecordHeaders headers = new RecordHeaders();
    headers.add(EVENT_ID, utf8(eventId(job)));
    headers.add(KIND, utf8(job.kind()));
    headers.add(JOB_ID, utf8(Long.toString(job.id())));
    headers.add(CREATED_AT, utf8(Long.toString(job.createdAt().toEpochMilli())));
    return new ProducerRecord<>(topic, null, key == null ? null : utf8(key), value, headers);
  }

  /** The job's own event id, or for a job with an idempotency key one made from it and the kind. */
  static String eventId(Job<?> job) {
    return EventIds.of(job, job.kind());
  }

  private String topicOf(Job<J> job) {
    String mapped = topics.get(job.payload().getClass());
    if (mapped != null) {
      return mapped;
    }
    if (topicFunction != null) {
      return topicFunction.apply(job.payload());
    }
    return defaultTopic(topicPrefix, job.kind());
  }

  private String keyOf(Job<J> job) {
    Function<Object, String> mapped = keys.get(job.payload().getClass());
    return mapped != null ? mapped.apply(job.payload()) : job.orderingKey().getOrNull();
  }

  /**
   * The prefix and the kind as dashed lowercase words, {@code /} as {@code .} and any other
   * character Kafka does not allow in a topic name as {@code -}: {@code SendWelcomeEmail} becomes
   * {@code send-welcome-email}, {@code db/users.created} becomes {@code db.users.created}.
   */
  static String defaultTopic(String prefix, String kind) {
    String dashed = KindNames.dashed(kind.replace('/', '.'));
    StringBuilder topic = new StringBuilder(prefix.length() + dashed.length());
    topic.append(prefix);
    for (int i = 0; i < dashed.length(); i++) {
      char c = dashed.charAt(i);
      boolean allowed =
          c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-');
      topic.append(allowed ? c : '-');
    }
    return topic.toString();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
