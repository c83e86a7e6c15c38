package dev.outbox.kafka;

import java.time.Duration;
import java.util.Map;

/** A forwarder's settings, frozen when it is built. */
record KafkaSettings<J>(
    Map<String, Object> producerConfig,
    KafkaRecords<J> records,
    Duration sendTimeout,
    Duration retryDelay,
    Duration misconfigurationPause) {

  KafkaSettings {
    producerConfig = Map.copyOf(producerConfig);
  }
}
