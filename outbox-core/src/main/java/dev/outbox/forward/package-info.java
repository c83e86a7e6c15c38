/**
 * Forwarding jobs to an external event API: {@link dev.outbox.forward.InngestForwarder} sends
 * claimed jobs to the Inngest Event API as deduplicated events, as the drainer's batch handler.
 */
package dev.outbox.forward;
