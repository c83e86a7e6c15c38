package dev.outbox.deadletter;

/** Why a job was moved to the dead-letter table. Stored by name. */
public enum DeadLetterReason {
  /** The row's kind is unknown or its payload does not parse; never retried. */
  UNPARSEABLE,
  /** The handler failed on every one of the allowed attempts. */
  RETRIES_EXHAUSTED,
  /** The handler failed with an exception marked not worth retrying, or asked to dead-letter. */
  NON_RETRYABLE,
  /** The event API refused the event (for example it breaks the API's rules or is too large). */
  REJECTED_BY_DESTINATION,
  /**
   * Only ever read, never stored by the library: the row's stored reason is none of the above
   * (written by a newer version, or by hand). Such a row is listed with this reason instead of
   * failing its page, and {@code withReason(UNKNOWN)} finds every one of them.
   */
  UNKNOWN;

  /** The reason stored under {@code name}, or {@link #UNKNOWN} if there is none of that name. */
  public static DeadLetterReason ofStored(String name) {
    for (DeadLetterReason reason : values()) {
      if (reason.name().equals(name)) {
        return reason;
      }
    }
    return UNKNOWN;
  }
}
