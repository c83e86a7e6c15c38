package dev.outbox.hibernate.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.Calendar;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.proxy.HibernateProxy;
import org.hibernate.proxy.LazyInitializer;
import org.hibernate.type.ComponentType;
import org.hibernate.type.EntityType;
import org.hibernate.type.Type;

/**
 * Turns entity property values into plain JSON values that read the same in any language and need
 * no Jackson module: strings, numbers, booleans, maps, null. Internal.
 *
 * <ul>
 *   <li>numbers, strings and booleans stay as they are; an enum becomes its name;
 *   <li>{@code java.time} values become their ISO-8601 text, {@code java.util.Date} and {@code
 *       Calendar} an instant ({@code java.sql.Date} and {@code Time} their date or time);
 *   <li>{@code byte[]} becomes Base64; anything else its {@code toString()} (UUID, URL, …);
 *   <li>a reference to another entity becomes that entity's id, an embeddable a map of its values.
 * </ul>
 */
final class StateValues {
  private StateValues() {}

  /** The JSON value of one property; collections are left out by the caller. */
  static Object of(Object value, Type type, SharedSessionContractImplementor session) {
    if (value == null) {
      return null;
    }
    if (type instanceof EntityType entity) {
      return simple(referencedId(value, entity, session));
    }
    if (type instanceof ComponentType component) {
      return embeddable(value, component, session);
    }
    return simple(value);
  }

  private static Map<String, Object> embeddable(
      Object value, ComponentType type, SharedSessionContractImplementor session) {
    String[] names = type.getPropertyNames();
    Type[] types = type.getSubtypes();
    Object[] values = type.getPropertyValues(value, session);
    Map<String, Object> json = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      if (!types[i].isCollectionType()) {
        json.put(names[i], of(values[i], types[i], session));
      }
    }
    return json;
  }

  private static Object referencedId(
      Object value, EntityType type, SharedSessionContractImplementor session) {
    LazyInitializer lazy = HibernateProxy.extractLazyInitializer(value);
    if (lazy != null) {
      return lazy.getInternalIdentifier();
    }
    Object id = session.getContextEntityIdentifier(value);
    if (id != null) {
      return id;
    }
    return session
        .getFactory()
        .getMappingMetamodel()
        .getEntityDescriptor(type.getAssociatedEntityName())
        .getIdentifier(value, session);
  }

  static Object simple(Object value) {
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigDecimal
        || value instanceof BigInteger) {
      return value;
    }
    if (value instanceof Double || value instanceof Float) {
      double number = ((Number) value).doubleValue();
      return Double.isFinite(number) ? value : value.toString();
    }
    if (value instanceof Enum<?> constant) {
      return constant.name();
    }
    if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate().toString();
    }
    if (value instanceof java.sql.Time time) {
      return time.toLocalTime().toString();
    }
    if (value instanceof java.util.Date date) {
      return date.toInstant().toString();
    }
    if (value instanceof Calendar calendar) {
      return calendar.toInstant().toString();
    }
    return value.toString(); // java.time values give ISO-8601 text; UUID, Character, URL, …
  }
}
