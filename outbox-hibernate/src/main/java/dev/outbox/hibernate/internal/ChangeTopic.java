package dev.outbox.hibernate.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.job.EnqueueOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.type.Type;

/**
 * One entity opted in to change events: the name in its kinds, and how its state becomes a payload.
 * Immutable. Internal.
 *
 * <p>Every event has the same fields: {@code kind}, {@code table} (the name), {@code action}
 * ({@code created}, {@code updated}, {@code deleted}), {@code id} (as text), {@code state} (every
 * property but collections: the new state, or for a delete the last state), {@code changed} (the
 * properties an update changed; empty otherwise) and {@code previous} (their values before the
 * update when Hibernate knows them; empty otherwise).
 */
final class ChangeTopic {
  static final String KIND_PREFIX = "db/";
  static final ObjectMapper JSON = new ObjectMapper();

  /** What happened to the row; the word is the kind's suffix. */
  enum Action {
    CREATED,
    UPDATED,
    DELETED;

    String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final String entityName;
  private final String name;
  private final String[] propertyNames;
  private final Type[] propertyTypes;
  private final Type idType;

  ChangeTopic(EntityPersister persister, String name) {
    this.entityName = persister.getEntityName();
    this.name = name;
    this.propertyNames = persister.getPropertyNames();
    this.propertyTypes = persister.getPropertyTypes();
    this.idType = persister.getIdentifierType();
  }

  String entityName() {
    return entityName;
  }

  String name() {
    return name;
  }

  String kind(Action action) {
    return KIND_PREFIX + name + "." + action.word();
  }

  ChangeEvent created(Object id, Object[] state, SharedSessionContractImplementor session) {
    return event(Action.CREATED, id, state, List.of(), Map.of(), session);
  }

  ChangeEvent deleted(Object id, Object[] lastState, SharedSessionContractImplementor session) {
    return event(Action.DELETED, id, lastState, List.of(), Map.of(), session);
  }

  /** The update event, or null when no property of the row itself changed. */
  ChangeEvent updated(
      Object id,
      Object[] state,
      Object[] oldState,
      int[] dirty,
      SharedSessionContractImplementor session) {
    List<String> changed = new ArrayList<>();
    Map<String, Object> previous = new LinkedHashMap<>();
    for (int i : changedIndexes(state, oldState, dirty)) {
      changed.add(propertyNames[i]);
      if (oldState != null) {
        previous.put(propertyNames[i], StateValues.of(oldState[i], propertyTypes[i], session));
      }
    }
    return changed.isEmpty() ? null : event(Action.UPDATED, id, state, changed, previous, session);
  }

  /**
   * Hibernate's dirty properties when it has them; else a comparison with the old state; else (a
   * detached entity updated without a select) every property.
   */
  private List<Integer> changedIndexes(Object[] state, Object[] oldState, int[] dirty) {
    List<Integer> indexes = new ArrayList<>();
    if (dirty != null) {
      for (int i : dirty) {
        if (!propertyTypes[i].isCollectionType()) {
          indexes.add(i);
        }
      }
      return indexes;
    }
    for (int i = 0; i < propertyNames.length; i++) {
      boolean same = oldState != null && propertyTypes[i].isEqual(oldState[i], state[i]);
      if (!propertyTypes[i].isCollectionType() && !same) {
        indexes.add(i);
      }
    }
    return indexes;
  }

  private ChangeEvent event(
      Action action,
      Object id,
      Object[] state,
      List<String> changed,
      Map<String, Object> previous,
      SharedSessionContractImplementor session) {
    String idText = idText(id, session);
    Map<String, Object> payload = payload(action, idText, state(state, session), changed, previous);
    return new ChangeEvent(kind(action), orderingKey(idText), idText, payload);
  }

  /** A payload with id "1" and no state, to check once that the job hierarchy can hold it. */
  String sampleJson(Action action) throws JsonProcessingException {
    return JSON.writeValueAsString(payload(action, "1", Map.of(), List.of(), Map.of()));
  }

  private Map<String, Object> payload(
      Action action,
      String id,
      Map<String, Object> state,
      List<String> changed,
      Map<String, Object> previous) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("kind", kind(action));
    payload.put("table", name);
    payload.put("action", action.word());
    payload.put("id", id);
    payload.put("state", state);
    payload.put("changed", changed);
    payload.put("previous", previous);
    return payload;
  }

  private Map<String, Object> state(Object[] state, SharedSessionContractImplementor session) {
    Map<String, Object> json = new LinkedHashMap<>();
    for (int i = 0; i < propertyNames.length; i++) {
      if (!propertyTypes[i].isCollectionType()) {
        json.put(propertyNames[i], StateValues.of(state[i], propertyTypes[i], session));
      }
    }
    return json;
  }

  /** A simple id as its text; a composite id as compact JSON of its parts. */
  private String idText(Object id, SharedSessionContractImplementor session) {
    Object json = StateValues.of(id, idType, session);
    if (json instanceof Map<?, ?>) {
      try {
        return JSON.writeValueAsString(json);
      } catch (JsonProcessingException e) {
        return String.valueOf(id);
      }
    }
    return String.valueOf(json);
  }

  /** {@code db/<name>/<id>}; a hash of it when that would be longer than a key may be. */
  private String orderingKey(String idText) {
    String key = KIND_PREFIX + name + "/" + idText;
    if (key.length() <= EnqueueOptions.MAX_KEY_LENGTH) {
      return key;
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return KIND_PREFIX + name + "/sha256:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
