package dev.outbox.forward;

import com.fasterxml.jackson.databind.JsonNode;
import io.vavr.control.Option;

/**
 * An event the {@link InngestTestServer} accepted and stored (duplicates included).
 *
 * @param name the event's name
 * @param data the event's data object
 * @param id the event's deduplication id, if it had one
 * @param ts the event's timestamp in epoch milliseconds, if it had one
 * @param internalId the id the server answered with; derived from the request's {@code
 *     x-inngest-event-id-seed} and the event's place in the request when the header was sent
 * @param triggered whether this event triggered runs (false for a duplicate id)
 */
public record ReceivedEvent(
    String name,
    JsonNode data,
    Option<String> id,
    Option<Long> ts,
    String internalId,
    boolean triggered) {}
