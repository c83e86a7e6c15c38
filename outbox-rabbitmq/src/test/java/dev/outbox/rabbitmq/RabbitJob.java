package dev.outbox.rabbitmq;

/** The jobs of the RabbitMQ tests. */
public sealed interface RabbitJob {
  /** A step of an ordered sequence. */
  record Step(String key, int seq) implements RabbitJob {}

  /** Any text. */
  record Blob(String data) implements RabbitJob {}
}
