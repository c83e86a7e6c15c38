package dev.outbox.kafka;

/** The jobs of the Kafka tests. */
public sealed interface KafkaJob {
  /** A step of an ordered sequence. */
  record Step(String key, int seq) implements KafkaJob {}

  /** Any text, as large as a test needs. */
  record Blob(String data) implements KafkaJob {}
}
