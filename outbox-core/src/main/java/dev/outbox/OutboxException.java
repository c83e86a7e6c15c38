package dev.outbox;

/**
 * The one unchecked root of every exception the library throws.
 *
 * <p>Messages say what happened, why, and what to do about it. Subclasses carry the context a
 * caller may want to branch on.
 */
public class OutboxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that explains the failure and how to fix it. */
  public OutboxException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the underlying cause. */
  public OutboxException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A setting, a job hierarchy or a schema name was refused when the library was configured. Thrown
   * by builders and factories, never while jobs are being drained.
   */
  public static final class Misconfigured extends OutboxException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; the message names the setting and the bad value. */
    public Misconfigured(String message) {
      super(message);
    }

    /** Creates the exception with the underlying cause. */
    public Misconfigured(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * A job could not be enqueued. Nothing was written: the caller's transaction is left exactly as
   * it was, and the caller decides whether to roll it back.
   */
  public static final class EnqueueRefused extends OutboxException {
    private static final long serialVersionUID = 1L;
    private final String kind;

    /** Creates the exception for a job of the given kind ({@code null} when not yet known). */
    public EnqueueRefused(String kind, String message, Throwable cause) {
      super(message, cause);
      this.kind = kind;
    }

    /** The kind of the refused job, or {@code null} when the job's kind could not be known. */
    public String kind() {
      return kind;
    }
  }

  /**
   * A statement against the outbox tables failed, or no connection could be had for it; the message
   * names the table and operation.
   */
  public static class StoreFailure extends OutboxException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception wrapping the driver's error. */
    public StoreFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
