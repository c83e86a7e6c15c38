package dev.outbox.hibernate.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.outbox.OutboxException;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.job.EnqueueOptions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;
import org.hibernate.event.spi.PostDeleteEvent;
import org.hibernate.event.spi.PostDeleteEventListener;
import org.hibernate.event.spi.PostInsertEvent;
import org.hibernate.event.spi.PostInsertEventListener;
import org.hibernate.event.spi.PostUpdateEvent;
import org.hibernate.event.spi.PostUpdateEventListener;
import org.hibernate.persister.entity.EntityPersister;

/**
 * Enqueues a change event for every insert, update and delete of an opted-in entity, while
 * Hibernate flushes it: the job is held (see {@link HeldJobs}) and its row written at the end of
 * that flush with plain JDBC on the session's own connection (never through the session, so no
 * nested flush), in the flushing transaction, in one statement with the flush's other jobs.
 * Thread-safe. Internal.
 *
 * @param <J> the sealed job root
 */
public final class ChangeEventListener<J>
    implements PostInsertEventListener, PostUpdateEventListener, PostDeleteEventListener {
  private final Map<String, ChangeTopic> topics;
  private final JdbcOutbox<J> outbox;
  private final HeldJobs<J> held;
  private final Set<SharedSessionContractImplementor> suppressed =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  private ChangeEventListener(
      Map<String, ChangeTopic> topics, JdbcOutbox<J> outbox, HeldJobs<J> held) {
    this.topics = topics;
    this.outbox = outbox;
    this.held = held;
  }

  /**
   * Finds the opted-in entities and, if there are any, appends a listener to the factory's post
   * insert, update and delete events.
   *
   * @param registered entity classes opted in by the builder, with their names ("" for the table)
   * @throws OutboxException.Misconfigured as {@link ChangeTopics#discover}, or if another outbox
   *     already produces change events on this factory
   */
  public static <J> ChangeEventListener<J> install(
      SessionFactoryImplementor factory,
      Map<Class<?>, String> registered,
      JdbcOutbox<J> outbox,
      HeldJobs<J> held) {
    Map<String, ChangeTopic> topics = ChangeTopics.discover(factory, registered, outbox.codec());
    ChangeEventListener<J> listener = new ChangeEventListener<>(topics, outbox, held);
    if (topics.isEmpty()) {
      return listener;
    }
    EventListenerRegistry registry = factory.getEventListenerRegistry();
    for (Object existing : registry.getEventListenerGroup(EventType.POST_INSERT).listeners()) {
      if (existing instanceof ChangeEventListener<?>) {
        throw new OutboxException.Misconfigured(
            "a HibernateOutbox already produces change events on this SessionFactory; build one"
                + " HibernateOutbox per SessionFactory and share it, or every event would be"
                + " enqueued twice");
      }
    }
    registry.appendListeners(EventType.POST_INSERT, listener);
    registry.appendListeners(EventType.POST_UPDATE, listener);
    registry.appendListeners(EventType.POST_DELETE, listener);
    return listener;
  }

  /** Entity name → the name in its kinds, for every opted-in entity. */
  public Map<String, String> names() {
    Map<String, String> names = new LinkedHashMap<>();
    topics.forEach((entity, topic) -> names.put(entity, topic.name()));
    return Collections.unmodifiableMap(names);
  }

  /** Stops events of this session until {@link #resume}; false if they were already stopped. */
  public boolean suppress(SharedSessionContractImplementor session) {
    return suppressed.add(session);
  }

  public void resume(SharedSessionContractImplementor session) {
    suppressed.remove(session);
  }

  @Override
  public void onPostInsert(PostInsertEvent event) {
    ChangeTopic topic = topicOf(event.getPersister(), event.getSession());
    if (topic != null) {
      enqueue(
          event.getSession(), topic.created(event.getId(), event.getState(), event.getSession()));
    }
  }

  @Override
  public void onPostUpdate(PostUpdateEvent event) {
    ChangeTopic topic = topicOf(event.getPersister(), event.getSession());
    if (topic != null) {
      enqueue(
          event.getSession(),
          topic.updated(
              event.getId(),
              event.getState(),
              event.getOldState(),
              event.getDirtyProperties(),
              event.getSession()));
    }
  }

  @Override
  public void onPostDelete(PostDeleteEvent event) {
    ChangeTopic topic = topicOf(event.getPersister(), event.getSession());
    if (topic != null) {
      enqueue(
          event.getSession(),
          topic.deleted(event.getId(), event.getDeletedState(), event.getSession()));
    }
  }

  @Override
  public boolean requiresPostCommitHandling(EntityPersister persister) {
    return false;
  }

  private ChangeTopic topicOf(EntityPersister persister, SharedSessionContractImplementor session) {
    ChangeTopic topic = topics.get(persister.getEntityName());
    return topic == null || suppressed.contains(session) ? null : topic;
  }

  private void enqueue(SharedSessionContractImplementor session, ChangeEvent event) {
    if (event == null) {
      return;
    }
    Sessions.requireTransaction(
        session, event.kind(), "the change event '" + event.kind() + "' of row " + event.id());
    J job = toJob(event);
    EnqueueOptions options = EnqueueOptions.defaults().withOrderingKey(event.orderingKey());
    held.hold(session, job, options);
  }

  private J toJob(ChangeEvent event) {
    String json;
    try {
      json = ChangeTopic.JSON.writeValueAsString(event.payload());
    } catch (JsonProcessingException e) {
      throw new OutboxException.EnqueueRefused(
          event.kind(), "the change event could not be written as JSON: " + e.getMessage(), e);
    }
    return outbox
        .codec()
        .parse(event.kind(), json)
        .getOrElseThrow(
            error ->
                new OutboxException.EnqueueRefused(
                    event.kind(),
                    "the change event of row "
                        + event.id()
                        + " does not fit "
                        + outbox
                            .codec()
                            .typeOf(event.kind())
                            .map(Class::getSimpleName)
                            .getOrElse("?")
                        + ": "
                        + error.describe()
                        + ". Nothing was written; the flush fails so that the row is not"
                        + " written without its event.",
                    null));
  }
}
