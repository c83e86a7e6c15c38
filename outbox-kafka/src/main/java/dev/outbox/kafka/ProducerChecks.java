package dev.outbox.kafka;

import dev.outbox.OutboxException;
import java.util.Map;
import java.util.Set;

/** Refuses producer settings that could lose, duplicate or reorder a record silently. */
final class ProducerChecks {
  private static final Set<String> OURS =
      Set.of("key.serializer", "value.serializer", "transactional.id");

  private ProducerChecks() {}

  static void check(Map<String, Object> config) {
    String servers = text(config, "bootstrap.servers");
    if (servers == null || servers.isBlank()) {
      throw refused("bootstrap.servers is required: the brokers to connect to, e.g. broker:9092");
    }
    for (String name : OURS) {
      if (config.containsKey(name)) {
        throw refused(
            name
                + " must not be set: the forwarder sends its own byte[] keys and values and uses no"
                + " Kafka transactions (map values with value(...))");
      }
    }
    String acks = text(config, "acks");
    if (!"all".equalsIgnoreCase(acks) && !"-1".equals(acks)) {
      throw refused(
          "acks must be all, was "
              + acks
              + ": with fewer acknowledgements a record the broker confirmed can be lost when its"
              + " leader fails, after the job was completed");
    }
    if ("false".equalsIgnoreCase(text(config, "enable.idempotence"))) {
      throw refused(
          "enable.idempotence must not be false: without it a retried send can write a record twice"
              + " or behind the next record of its key");
    }
    String inFlight = text(config, "max.in.flight.requests.per.connection");
    if (inFlight != null && Integer.parseInt(inFlight) > 5) {
      throw refused(
          "max.in.flight.requests.per.connection must be at most 5, was "
              + inFlight
              + ": the idempotent producer keeps order only up to 5");
    }
    if ("0".equals(text(config, "retries"))) {
      throw refused(
          "retries must not be 0: the idempotent producer needs its own retries to keep a key's"
              + " records in order");
    }
  }

  private static String text(Map<String, Object> config, String name) {
    Object value = config.get(name);
    return value == null ? null : String.valueOf(value).strip();
  }

  private static OutboxException.Misconfigured refused(String why) {
    return new OutboxException.Misconfigured("Kafka producer setting refused: " + why);
  }
}
