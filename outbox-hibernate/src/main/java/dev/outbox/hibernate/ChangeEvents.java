package dev.outbox.hibernate;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Opts an entity in to database change events: every insert, update and delete of it enqueues a job
 * of kind {@code db/<name>.created}, {@code db/<name>.updated} or {@code db/<name>.deleted} in the
 * same flush, hence the same transaction, as the row itself.
 *
 * <pre>{@code
 * @Entity
 * @Table(name = "users")
 * @ChangeEvents
 * class User { ... }   // → db/users.created, db/users.updated, db/users.deleted
 * }</pre>
 *
 * <p>The events become jobs of the sealed job root through a leaf that receives their kinds,
 * typically {@code @JobKind(value = "db/", prefix = true) record EntityChanged(...)}; see {@link
 * HibernateOutbox} for the payload. Annotated entities are found when the {@link HibernateOutbox}
 * is built; {@link HibernateOutbox.Builder#changeEvents(Class)} opts in an entity without the
 * annotation. Subclass entities inherit the annotation.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ChangeEvents {
  /**
   * The name in the events' kinds and ordering keys. Default: the entity's table name without
   * schema or quotes. 1 to 120 letters, digits or {@code . _ -}.
   */
  String name() default "";
}
