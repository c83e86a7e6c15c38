package dev.outbox.forward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** The Event API's reading of a request body and its rules for one event, for the test server. */
final class EventApiRules {
  private EventApiRules() {}

  /** What is wrong with the event, or nothing. */
  static Option<String> problemWith(JsonNode event, int size, int maxEventBytes) {
    if (!event.isObject()) {
      return Option.some("event must be a JSON object");
    }
    JsonNode name = event.path("name");
    if (!name.isTextual() || name.asText().isEmpty()) {
      return Option.some("event name is empty");
    }
    if (name.asText().length() > 256) {
      return Option.some("event name is longer than 256 characters");
    }
    if (name.asText().startsWith("inngest/")) {
      return Option.some("event name is reserved for internal use: " + name.asText());
    }
    if (!event.path("data").isObject()) {
      return Option.some("event data must be an object");
    }
    JsonNode id = event.path("id");
    if (!id.isMissingNode() && !id.isNull() && !id.isTextual()) {
      return Option.some("event id must be a string");
    }
    if (size > maxEventBytes) {
      return Option.some("event is " + size + " bytes, over the limit of " + maxEventBytes);
    }
    return Option.none();
  }

  /**
   * The events of a body holding one event object or an array of them; null if it holds neither.
   */
  static List<JsonNode> events(ObjectMapper json, byte[] body) {
    try {
      JsonNode root = json.readTree(body);
      if (root == null || !(root.isArray() || root.isObject())) {
        return null;
      }
      List<JsonNode> events = new ArrayList<>();
      (root.isArray() ? root : json.createArrayNode().add(root)).forEach(events::add);
      return events;
    } catch (IOException notJson) {
      return null;
    }
  }

  /**
   * The id the server gives the event at {@code index} of a request: derived from the request's
   * {@code x-inngest-event-id-seed} when it has one (so a resent request maps to the same ids),
   * random otherwise.
   */
  static String internalId(String seed, int index) {
    String source = seed != null ? seed + "#" + index : UUID.randomUUID().toString();
    return UUID.nameUUIDFromBytes(source.getBytes(StandardCharsets.UTF_8))
        .toString()
        .replace("-", "")
        .toUpperCase(Locale.ROOT)
        .substring(0, 26);
  }
}
