package dev.outbox.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.OutboxException;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns the leaves of a sealed job hierarchy into stored rows (kind + JSON payload) and back.
 *
 * <p>Built once from the sealed root: the permitted leaves are discovered (nested sealed interfaces
 * are followed), each gets a stable kind ({@link JobKind} or the simple class name), and every leaf
 * is checked to be readable and writable by Jackson. Only those leaves can ever be instantiated
 * from a row: the row's kind selects the class, the payload never does.
 *
 * <p>A leaf declared with {@code @JobKind(value = "db/", prefix = true)} receives every kind that
 * starts with its prefix and that no leaf names exactly; with several matching prefixes the longest
 * wins. See {@link JobKind}.
 *
 * <p>Thread-safe and immutable.
 *
 * @param <J> the sealed job root
 */
public final class JobCodec<J> {
  /** The longest kind name the schema stores. */
  public static final int MAX_KIND_LENGTH = 200;

  private final Class<J> root;
  private final Map<String, Leaf> byKind;
  private final Map<Class<?>, Leaf> byClass;
  private final List<Leaf> prefixLeaves;

  private JobCodec(Class<J> root, Map<String, Leaf> byKind, Map<Class<?>, Leaf> byClass) {
    this.root = root;
    this.byKind = byKind;
    this.byClass = byClass;
    this.prefixLeaves =
        byKind.values().stream()
            .filter(Leaf::isPrefix)
            .sorted(Comparator.comparingInt((Leaf leaf) -> leaf.kind().length()).reversed())
            .toList();
  }

  /**
   * Builds a codec with the library's default {@link ObjectMapper}: unknown properties are ignored
   * (so a newer producer can add a field), a missing primitive is an error.
   *
   * @throws OutboxException.Misconfigured if the root is not sealed, two leaves share a kind or a
   *     prefix, a kind is not a valid name, a prefix leaf has no {@code String kind} component, or
   *     a leaf cannot be read or written by Jackson
   */
  public static <J> JobCodec<J> of(Class<J> root) {
    return of(root, defaultMapper());
  }

  /**
   * Builds a codec with the caller's {@link ObjectMapper} (for modules such as JavaTimeModule). The
   * mapper is copied; later changes to it do not reach the codec. A mapper with default typing
   * activated is refused: a row must never be able to name the class it becomes.
   *
   * @throws OutboxException.Misconfigured as {@link #of(Class)}, or if default typing is on
   */
  public static <J> JobCodec<J> of(Class<J> root, ObjectMapper mapper) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(mapper, "mapper");
    ObjectMapper own = mapper.copy();
    refuseDefaultTyping(own);
    if (!root.isSealed()) {
      throw new OutboxException.Misconfigured(
          root.getName()
              + " is not sealed: declare it as 'sealed interface "
              + root.getSimpleName()
              + " permits ...' with a record for each job type, so that the library knows every"
              + " type a stored row may become");
    }
    Map<String, Leaf> byKind = new LinkedHashMap<>();
    Map<Class<?>, Leaf> byClass = new LinkedHashMap<>();
    for (Class<?> type : leavesOf(root)) {
      Leaf leaf = Leaf.of(own, type);
      Leaf clash = byKind.putIfAbsent(leaf.kind(), leaf);
      if (clash != null) {
        throw new OutboxException.Misconfigured(
            "two job types have the kind '"
                + leaf.kind()
                + "': "
                + clash.type().getName()
                + " and "
                + type.getName()
                + "; give one of them another name with @JobKind(\"...\")");
      }
      byClass.put(type, leaf);
    }
    return new JobCodec<>(
        root, Collections.unmodifiableMap(byKind), Collections.unmodifiableMap(byClass));
  }

  /** The mapper {@link #of(Class)} uses. */
  public static ObjectMapper defaultMapper() {
    return new ObjectMapper()
        .findAndRegisterModules()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  }

  /** The sealed root this codec was built from. */
  public Class<J> root() {
    return root;
  }

  /**
   * Every kind the leaves were declared with, in declaration order; a prefix leaf is listed by its
   * prefix (and parses every kind that starts with it).
   */
  public Set<String> kinds() {
    return byKind.keySet();
  }

  /**
   * The declared kind of a leaf type (a prefix leaf's prefix), if it is one of the root's leaves.
   */
  public Option<String> kindOf(Class<?> type) {
    return Option.of(byClass.get(type)).map(Leaf::kind);
  }

  /** The leaf type that rows of this kind become, if this codec knows the kind. */
  public Option<Class<? extends J>> typeOf(String kind) {
    return Option.of(leafFor(kind)).map(leaf -> leaf.type().asSubclass(root));
  }

  /**
   * The declared kind of the leaf that rows of this kind become: the kind itself for an exact leaf,
   * the prefix for a prefix leaf. Settings made per leaf type are keyed by it.
   */
  public Option<String> declaredKind(String kind) {
    return Option.of(leafFor(kind)).map(Leaf::kind);
  }

  /**
   * Serializes a job for storage.
   *
   * @throws OutboxException.EnqueueRefused if the job is not one of the leaves or Jackson cannot
   *     write it; nothing has been written anywhere
   */
  public Encoded encode(J job) {
    Objects.requireNonNull(job, "job");
    Leaf leaf = byClass.get(job.getClass());
    if (leaf == null) {
      throw new OutboxException.EnqueueRefused(
          null,
          job.getClass().getName()
              + " is not a leaf of "
              + root.getName()
              + "; enqueue one of "
              + byClass.keySet().stream().map(Class::getSimpleName).toList(),
          null);
    }
    String kind = leaf.kindOf(job);
    Leaf owner = leafFor(kind);
    if (owner != leaf) {
      throw new OutboxException.EnqueueRefused(
          kind,
          "the kind '"
              + kind
              + "' of this "
              + leaf.type().getSimpleName()
              + " belongs to "
              + owner.type().getSimpleName()
              + ", so the stored row would come back as that type; enqueue a "
              + owner.type().getSimpleName()
              + " instead. Nothing was written.",
          null);
    }
    String payload;
    try {
      payload = leaf.write(job);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new OutboxException.EnqueueRefused(
          kind,
          "the payload of kind '"
              + kind
              + "' could not be serialized to JSON ("
              + e.getMessage()
              + "); make every component of "
              + leaf.type().getSimpleName()
              + " serializable by Jackson or register the module it needs on the ObjectMapper."
              + " Nothing was written.",
          e);
    }
    int bad = Text.unstorableAt(payload);
    if (bad >= 0) {
      throw new OutboxException.EnqueueRefused(
          kind,
          "the payload of kind '"
              + kind
              + "' holds "
              + Text.describe(payload, bad)
              + " of its JSON, which the database would store as '?'; a string of "
              + leaf.type().getSimpleName()
              + " was cut inside a character. Nothing was written.",
          null);
    }
    return new Encoded(kind, payload);
  }

  /** A job as it is stored: its kind and its JSON payload. */
  public record Encoded(String kind, String payload) {}

  /**
   * Parses a stored row into a leaf of the sealed root. Never throws: every failure, including a
   * constructor that rejects the values, is returned as a {@link ParseError}.
   */
  public Either<ParseError, J> parse(String kind, String payload) {
    Leaf leaf = kind == null ? null : leafFor(kind);
    if (leaf == null) {
      return Either.left(new ParseError.UnknownKind(String.valueOf(kind), byKind.keySet()));
    }
    if (payload == null) {
      return Either.left(new ParseError.WrongShape(kind, "$", "payload is SQL NULL"));
    }
    try {
      Object value = leaf.read(kind, payload);
      if (value == null) {
        return Either.left(new ParseError.WrongShape(kind, "$", "payload is JSON null"));
      }
      return Either.right(root.cast(value));
    } catch (StreamReadException e) {
      return Either.left(new ParseError.MalformedJson(kind, location(e), e.getOriginalMessage()));
    } catch (JsonMappingException e) {
      return Either.left(new ParseError.WrongShape(kind, path(e), e.getOriginalMessage()));
    } catch (Exception | StackOverflowError e) {
      return Either.left(new ParseError.WrongShape(kind, "$", String.valueOf(e)));
    }
  }

  private static String location(StreamReadException e) {
    var at = e.getLocation();
    return at == null
        ? "unknown position"
        : "line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder("$");
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append('.').append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static List<Class<?>> leavesOf(Class<?> sealed) {
    List<Class<?>> leaves = new ArrayList<>();
    for (Class<?> permitted : sealed.getPermittedSubclasses()) {
      if (permitted.isSealed()) {
        leaves.addAll(leavesOf(permitted));
      } else if (permitted.isInterface() || Modifier.isAbstract(permitted.getModifiers())) {
        throw new OutboxException.Misconfigured(
            permitted.getName()
                + " is a non-sealed abstract type under "
                + sealed.getName()
                + ": the library cannot know which types a row may become; make it sealed or"
                + " a record");
      } else {
        leaves.add(permitted);
      }
    }
    return leaves;
  }

  /** Exact kinds first, then the longest matching prefix; null if no leaf takes the kind. */
  private Leaf leafFor(String kind) {
    Leaf exact = byKind.get(kind);
    if (exact != null) {
      return exact;
    }
    for (Leaf leaf : prefixLeaves) {
      if (leaf.accepts(kind)) {
        return leaf;
      }
    }
    return null;
  }

  private static void refuseDefaultTyping(ObjectMapper mapper) {
    var config = mapper.getDeserializationConfig();
    if (config.getDefaultTyper(mapper.constructType(Object.class)) != null) {
      throw new OutboxException.Misconfigured(
          "the ObjectMapper has default typing activated: a stored payload could then name any"
              + " class to instantiate. Pass a mapper without activateDefaultTyping(...); the job's"
              + " kind column already selects its type.");
    }
  }
}
