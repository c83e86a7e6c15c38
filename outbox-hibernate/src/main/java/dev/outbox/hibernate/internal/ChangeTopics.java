package dev.outbox.hibernate.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.outbox.OutboxException;
import dev.outbox.hibernate.ChangeEvents;
import dev.outbox.job.JobCodec;
import dev.outbox.job.ParseError;
import io.vavr.control.Either;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.persister.entity.EntityPersister;

/**
 * Finds the entities opted in to change events (annotated, or registered by class) and checks,
 * once, that each one's kinds have a leaf in the job hierarchy that accepts their payload.
 * Internal.
 */
final class ChangeTopics {
  static final int MAX_NAME_LENGTH = 120;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_NAME_LENGTH + "}");

  private ChangeTopics() {}

  /**
   * The topics by entity name.
   *
   * @param registered classes opted in by the builder, with their names ("" for the table's)
   * @throws OutboxException.Misconfigured if a registered class is no entity of the factory, a name
   *     is not usable in a kind, or the job hierarchy has no leaf for an event's kind
   */
  static Map<String, ChangeTopic> discover(
      SessionFactoryImplementor factory, Map<Class<?>, String> registered, JobCodec<?> codec) {
    Map<String, ChangeTopic> topics = new LinkedHashMap<>();
    Set<Class<?>> unmatched = new LinkedHashSet<>(registered.keySet());
    factory
        .getMappingMetamodel()
        .forEachEntityDescriptor(
            persister -> {
              Class<?> type = persister.getMappedClass();
              String name = null;
              for (Map.Entry<Class<?>, String> entry : registered.entrySet()) {
                if (entry.getKey().isAssignableFrom(type)) {
                  unmatched.remove(entry.getKey());
                  name = entry.getValue();
                }
              }
              ChangeEvents annotation =
                  type == null ? null : type.getAnnotation(ChangeEvents.class);
              if (name == null && annotation != null) {
                name = annotation.name();
              }
              if (name != null) {
                ChangeTopic topic = new ChangeTopic(persister, checkedName(persister, name));
                requireLeaf(topic, codec);
                topics.put(persister.getEntityName(), topic);
              }
            });
    if (!unmatched.isEmpty()) {
      throw new OutboxException.Misconfigured(
          "changeEvents(...) was given "
              + unmatched.stream().map(Class::getName).toList()
              + ", which this SessionFactory does not map as entities; pass an @Entity class"
              + " of this factory");
    }
    return topics;
  }

  private static String checkedName(EntityPersister persister, String given) {
    String name = given.isEmpty() ? tableName(persister) : given;
    if (!NAME.matcher(name).matches()) {
      throw new OutboxException.Misconfigured(
          "the change-event name '"
              + name
              + "' of entity "
              + persister.getEntityName()
              + " cannot be used in a kind: use 1 to "
              + MAX_NAME_LENGTH
              + " letters, digits or . _ -; set one with @ChangeEvents(name = \"...\") or"
              + " changeEvents(Entity.class, \"...\")");
    }
    return name;
  }

  /** The entity's own table, without catalog, schema or quotes. */
  private static String tableName(EntityPersister persister) {
    String table = persister.getMappedTableDetails().getTableName();
    String unqualified = table.substring(table.lastIndexOf('.') + 1);
    return unqualified.replaceAll("[\"`\\[\\]]", "");
  }

  private static void requireLeaf(ChangeTopic topic, JobCodec<?> codec) {
    for (ChangeTopic.Action action : ChangeTopic.Action.values()) {
      String kind = topic.kind(action);
      if (codec.typeOf(kind).isEmpty()) {
        throw new OutboxException.Misconfigured(
            "entity "
                + topic.entityName()
                + " produces change events of kind '"
                + kind
                + "', but "
                + codec.root().getName()
                + " has no leaf for that kind. Add one that receives every change event:"
                + " @JobKind(value = \"db/\", prefix = true) record EntityChanged(String kind,"
                + " String table, String action, String id, Map<String, Object> state,"
                + " List<String> changed) implements "
                + codec.root().getSimpleName()
                + " {}");
      }
      Either<ParseError, ?> probe = codec.parse(kind, sampleJson(topic, action));
      if (probe.isLeft()) {
        throw new OutboxException.Misconfigured(
            codec.typeOf(kind).get().getName()
                + " cannot hold the change event '"
                + kind
                + "': "
                + probe.getLeft().describe()
                + ". Its components may be any of kind, table, action, id (String), state,"
                + " previous (Map<String, Object>) and changed (List<String>).");
      }
    }
  }

  private static String sampleJson(ChangeTopic topic, ChangeTopic.Action action) {
    try {
      return topic.sampleJson(action);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings is always JSON", e);
    }
  }
}
