package dev.outbox.nats;

/** The jobs of the NATS tests. */
public sealed interface NatsJob {
  /** A step of an ordered sequence. */
  record Step(String key, int seq) implements NatsJob {}

  /** Any text. */
  record Blob(String data) implements NatsJob {}
}
