package dev.outbox.forward;

import dev.outbox.OutboxException;

/**
 * Why the Inngest Event API did not take an event that will be tried again: the cause of the {@link
 * dev.outbox.drain.Outcome.Failed failed} outcome the forwarder returns after an I/O error, a
 * timeout, a 429 or a 5xx. The message never contains the event key.
 */
public final class EventApiException extends OutboxException {
  private static final long serialVersionUID = 1L;

  /** No HTTP status: the request failed before an answer arrived. */
  public static final int NO_STATUS = -1;

  private final int status;

  EventApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status of the answer, or {@link #NO_STATUS} (I/O error, timeout). */
  public int status() {
    return status;
  }
}
