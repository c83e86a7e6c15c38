package dev.outbox.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outbox.OutboxException;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.regex.Pattern;

/**
 * One leaf of a sealed job root: the kind it was declared with (an exact kind, or a prefix), and
 * how its payload is written and read. Checked when built. Immutable.
 */
final class Leaf {
  static final Pattern KIND =
      Pattern.compile("[A-Za-z0-9._/:-]{1," + JobCodec.MAX_KIND_LENGTH + "}");

  /** The component of a prefix leaf that holds the full kind. */
  static final String KIND_COMPONENT = "kind";

  private final String kind;
  private final boolean prefix;
  private final Class<?> type;
  private final ObjectReader reader;
  private final ObjectWriter writer;
  private final Method kindAccessor;

  private Leaf(ObjectMapper mapper, Class<?> type, String kind, boolean prefix, Method accessor) {
    this.kind = kind;
    this.prefix = prefix;
    this.type = type;
    this.reader = mapper.readerFor(type).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.writer = mapper.writerFor(type);
    this.kindAccessor = accessor;
  }

  /**
   * Checks that {@code type} has a valid kind and can be read and written by {@code mapper}.
   *
   * @throws OutboxException.Misconfigured naming the type and what to change
   */
  static Leaf of(ObjectMapper mapper, Class<?> type) {
    JobKind annotation = type.getAnnotation(JobKind.class);
    String kind = annotation == null ? type.getSimpleName() : annotation.value();
    boolean prefix = annotation != null && annotation.prefix();
    if (!KIND.matcher(kind).matches()) {
      throw new OutboxException.Misconfigured(
          "the kind '"
              + kind
              + "' of "
              + type.getName()
              + " is not a valid kind name: use 1 to "
              + JobCodec.MAX_KIND_LENGTH
              + " letters, digits or . _ - / :");
    }
    Method accessor = prefix ? kindAccessor(type, kind) : null;
    probeReadable(mapper, type, kind);
    if (!mapper.canSerialize(type)) {
      throw new OutboxException.Misconfigured(
          type.getName() + " (kind '" + kind + "') cannot be serialized by Jackson");
    }
    return new Leaf(mapper, type, kind, prefix, accessor);
  }

  /** The kind it was declared with: the exact kind, or the prefix of a prefix leaf. */
  String kind() {
    return kind;
  }

  boolean isPrefix() {
    return prefix;
  }

  Class<?> type() {
    return type;
  }

  /** Whether a row of {@code rowKind} may become this leaf (by its declaration alone). */
  boolean accepts(String rowKind) {
    return prefix ? rowKind.startsWith(kind) : rowKind.equals(kind);
  }

  /**
   * The kind a row for {@code job} is stored under: the declared kind, or for a prefix leaf the
   * job's own {@code kind} component, which must be a valid kind starting with the prefix.
   *
   * @throws OutboxException.EnqueueRefused if a prefix leaf's kind is missing or does not fit
   */
  String kindOf(Object job) {
    if (!prefix) {
      return kind;
    }
    Object value;
    try {
      value = kindAccessor.invoke(job);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw refused(null, "its kind() could not be read: " + e, e);
    }
    if (!(value instanceof String full) || !KIND.matcher(full).matches()) {
      throw refused(
          null,
          "its kind '"
              + value
              + "' is not a valid kind name (1 to "
              + JobCodec.MAX_KIND_LENGTH
              + " letters, digits or . _ - / :)",
          null);
    }
    if (!full.startsWith(kind)) {
      throw refused(full, "its kind '" + full + "' does not start with '" + kind + "'", null);
    }
    return full;
  }

  String write(Object job) throws JsonProcessingException {
    return writer.writeValueAsString(job);
  }

  /**
   * Reads a payload stored under {@code rowKind}. A prefix leaf's payload must be a JSON object;
   * its {@code kind} is set to the row's kind, which is authoritative.
   *
   * @return the value, or null for a JSON null payload
   */
  Object read(String rowKind, String payload) throws IOException {
    if (!prefix) {
      return reader.readValue(payload);
    }
    JsonNode tree = reader.readTree(payload);
    if (tree == null || tree.isNull() || tree.isMissingNode()) {
      return null;
    }
    if (!(tree instanceof ObjectNode object)) {
      throw MismatchedInputException.from(
          null,
          type,
          "the payload of a prefix kind must be a JSON object, was " + tree.getNodeType());
    }
    object.put(KIND_COMPONENT, rowKind);
    return reader.readValue(object);
  }

  private OutboxException refused(String fullKind, String why, Throwable cause) {
    return new OutboxException.EnqueueRefused(
        fullKind,
        type.getSimpleName()
            + " receives the kinds starting with '"
            + kind
            + "', but "
            + why
            + "; set its kind component to the full kind, e.g. '"
            + kind
            + "example'. Nothing was written.",
        cause);
  }

  private static Method kindAccessor(Class<?> type, String prefix) {
    if (type.isRecord()) {
      for (RecordComponent component : type.getRecordComponents()) {
        if (component.getName().equals(KIND_COMPONENT) && component.getType() == String.class) {
          Method accessor = component.getAccessor();
          try {
            accessor.setAccessible(true);
          } catch (RuntimeException publicAccessorWillDo) {
            // A module that does not open the record's package still allows a public accessor.
          }
          return accessor;
        }
      }
    }
    throw new OutboxException.Misconfigured(
        type.getName()
            + " is declared with @JobKind(value = \""
            + prefix
            + "\", prefix = true) but is not a record with a String component named '"
            + KIND_COMPONENT
            + "': declare it as a record whose first component is 'String kind', which holds the"
            + " full kind of each job");
  }

  /**
   * Reads an empty object as the leaf: a definition problem (no usable constructor, a property type
   * Jackson cannot handle) shows up as {@link InvalidDefinitionException}, while data problems (a
   * missing value) are expected and fine here.
   */
  private static void probeReadable(ObjectMapper mapper, Class<?> type, String kind) {
    try {
      mapper.readerFor(type).readValue("{}");
    } catch (InvalidDefinitionException e) {
      throw new OutboxException.Misconfigured(
          type.getName()
              + " (kind '"
              + kind
              + "') cannot be deserialized by Jackson: "
              + e.getOriginalMessage()
              + "; declare the job as a record, or give it a @JsonCreator constructor",
          e);
    } catch (Exception | StackOverflowError dataProblemIsFine) {
      // A record that rejects an empty object is still readable.
    }
  }
}
