package dev.outbox.forward;

import io.vavr.control.Option;

/**
 * A request the {@link InngestTestServer} received, whatever it answered.
 *
 * @param key the event key from the path, decoded
 * @param env the {@code x-inngest-env} header, if sent
 * @param seed the {@code x-inngest-event-id-seed} header, if sent
 * @param bytes the size of the body
 * @param events how many events the body held (-1 when it was not read or not JSON)
 * @param status the HTTP status answered, or {@link #DROPPED} when the connection was closed
 *     without an answer
 */
public record ReceivedRequest(
    String key, Option<String> env, Option<String> seed, int bytes, int events, int status) {

  /** The status of a request whose connection was closed without an answer. */
  public static final int DROPPED = 0;
}
