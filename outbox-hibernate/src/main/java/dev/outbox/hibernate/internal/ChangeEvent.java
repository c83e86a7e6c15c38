package dev.outbox.hibernate.internal;

import java.util.Map;

/**
 * One change event about to be enqueued: its kind, the row's ordering key, the row's id as text and
 * the payload (see {@link ChangeTopic}). Internal.
 */
record ChangeEvent(String kind, String orderingKey, String id, Map<String, Object> payload) {}
