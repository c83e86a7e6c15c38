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
   * A job could not be enqueued; no job was written. A job refused before any SQL (the usual case:
   * bad input, auto-commit, a payload too big) leaves the caller's transaction exactly as it was,
   * and the caller decides whether to roll it back. When the insert itself failed in the database,
   * {@link #transactionAborted()} says whether the database aborted the caller's transaction with
   * it (PostgreSQL does on any failed statement): then it can only be rolled back, and the message
   * says so.
   */
  public static final class EnqueueRefused extends OutboxException {
    private static final long serialVersionUID = 1L;
    private final String kind;
    private final boolean transactionAborted;

    /**
     * Creates the exception for a job of the given kind ({@code null} when not yet known), refused
     * with the caller's transaction intact.
     */
    public EnqueueRefused(String kind, String message, Throwable cause) {
      this(kind, message, cause, false);
    }

    /** Creates the exception, saying whether the caller's transaction was aborted. */
    public EnqueueRefused(
        String kind, String message, Throwable cause, boolean transactionAborted) {
      super(message, cause);
      this.kind = kind;
      this.transactionAborted = transactionAborted;
    }

    /** The kind of the refused job, or {@code null} when the job's kind could not be known. */
    public String kind() {
      return kind;
    }

    /**
     * Whether the database aborted the caller's transaction: then every write in it is lost, a
     * {@code commit()} would not commit them, and it must be rolled back.
     */
    public boolean transactionAborted() {
      return transactionAborted;
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
