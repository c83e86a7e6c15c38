package dev.outbox.forward;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.internal.EventIds;
import dev.outbox.job.Job;
import dev.outbox.job.JobCodec;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns a job into its event ({@code name}, {@code data}, {@code id}, {@code ts}) and checks it
 * against Inngest's rules and the per-event size limit. Thread-safe and immutable.
 */
final class EventEncoder<J> {
  private final JobCodec<J> codec;
  private final ObjectMapper mapper;
  private final String namePrefix;
  private final Map<String, String> nameByKind;
  private final Map<String, Function<Object, ?>> dataByKind;
  private final int maxEventBytes;

  EventEncoder(
      JobCodec<J> codec,
      ObjectMapper mapper,
      String namePrefix,
      Map<String, String> nameByKind,
      Map<String, Function<Object, ?>> dataByKind,
      int maxEventBytes) {
    this.codec = codec;
    this.mapper = mapper;
    this.namePrefix = namePrefix;
    this.nameByKind = Map.copyOf(nameByKind);
    this.dataByKind = Map.copyOf(dataByKind);
    this.maxEventBytes = maxEventBytes;
  }

  /** The name jobs of this kind are sent under. */
  String nameOf(String kind) {
    String mapped = nameByKind.get(declared(kind));
    return mapped != null ? mapped : EventNames.defaultName(namePrefix, kind);
  }

  /** Mappings are made per leaf type, so keyed by its declared kind (a prefix leaf's prefix). */
  private String declared(String kind) {
    return codec.declaredKind(kind).getOrElse(kind);
  }

  /**
   * The job's event, or why Inngest would refuse it (the job is then dead-lettered unsent).
   *
   * @throws RuntimeException if the job's payload or mapped data cannot be serialized
   */
  Either<String, OutgoingEvent> encode(Job<J> job) {
    String name = nameOf(job.kind());
    Option<String> badName = EventNames.problemWith(name);
    if (badName.isDefined()) {
      return Either.left(badName.get() + "; map the kind '" + job.kind() + "' to a valid name");
    }
    String data = dataOf(job);
    if (!isObject(data)) {
      return Either.left(
          "the data of event '" + name + "' is " + shapeOf(data) + "; Inngest requires an object");
    }
    String id = EventIds.of(job, name);
    long ts = job.createdAt().toEpochMilli();
    byte[] json = write(name, data, id, ts);
    if (json.length > maxEventBytes) {
      return Either.left(
          "the event '"
              + name
              + "' is "
              + json.length
              + " bytes, over the per-event limit of "
              + maxEventBytes
              + " bytes (maxEventBytes); it was not sent");
    }
    return Either.right(new OutgoingEvent(job.id(), id, name, ts, json));
  }

  private String dataOf(Job<J> job) {
    Function<Object, ?> mapping = dataByKind.get(declared(job.kind()));
    if (mapping == null) {
      return codec.encode(job.payload()).payload();
    }
    try {
      return mapper.writeValueAsString(mapping.apply(job.payload()));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the data mapped for kind '" + job.kind() + "' cannot be written as JSON", e);
    }
  }

  private byte[] write(String name, String data, String id, long ts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length() + name.length() + 96);
    try (JsonGenerator json = mapper.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      json.writeStartObject();
      json.writeStringField("name", name);
      json.writeFieldName("data");
      json.writeRawValue(data);
      json.writeStringField("id", id);
      json.writeNumberField("ts", ts);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing an event to memory failed", e);
    }
    return out.toByteArray();
  }

  private static boolean isObject(String json) {
    return firstToken(json) == '{';
  }

  private static String shapeOf(String json) {
    return switch (firstToken(json)) {
      case '[' -> "an array";
      case '"' -> "a string";
      case 'n' -> "null";
      case 't', 'f' -> "a boolean";
      default -> "a number";
    };
  }

  private static char firstToken(String json) {
    String stripped = json == null ? "" : json.stripLeading();
    return stripped.isEmpty() ? 'n' : stripped.charAt(0);
  }
}
