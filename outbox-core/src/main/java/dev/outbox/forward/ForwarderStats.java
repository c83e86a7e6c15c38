package dev.outbox.forward;

/**
 * What an {@link InngestForwarder} has done since it was built: a snapshot, counted in events
 * (jobs) except for {@code requests} and {@code splits}.
 *
 * @param eventsSent events the Event API accepted (answered 200); a resend counts again
 * @param requests HTTP requests made, whatever their answer
 * @param retries events handed back to the drainer as failed, to be retried with backoff (I/O
 *     error, timeout, 429, 5xx)
 * @param splits requests split in two after a 413, or to isolate a bad event after a 400
 * @param rejections events dead-lettered as rejected by the destination (invalid, too large, or
 *     refused with a 400)
 * @param pauses events handed back without using an attempt because the key, base URL or
 *     environment is misconfigured (401, 403, 404), or because forwarding was paused for that
 */
public record ForwarderStats(
    long eventsSent, long requests, long retries, long splits, long rejections, long pauses) {}
