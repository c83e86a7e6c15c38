package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells listening drainers that jobs were inserted (PostgreSQL: {@code NOTIFY} on the job table's
 * channel, the one {@link PostgresListener} listens on). Sent on the caller's connection inside the
 * caller's transaction, so PostgreSQL delivers it only if and when that transaction commits, and
 * throttled per outbox instance: at most one every {@link #NOTIFY_INTERVAL}. Thread-safe. Internal.
 *
 * <p>Why throttled: PostgreSQL takes one global lock for the notification queue in the commit of
 * every notifying transaction and holds it through the commit's disk flush, so transactions that
 * notify commit one at a time, server-wide. A statement trigger that notified from every enqueuing
 * transaction cut small transactions from 2,400 to 1,650 per second at 4 threads.
 *
 * <p>A single {@code enqueue} whose turn it is does not use {@link #jobsInserted}: on PostgreSQL
 * its insert carries the notification itself ({@code RETURNING id, pg_notify(…)}, see {@code
 * SqlDialect#notifying}), so notifying costs no round trip of its own.
 *
 * <p>Why it cannot lose a job: on PostgreSQL a failed statement aborts the transaction, so the
 * statement must not fail. It is a plain {@code NOTIFY} of an identifier validated by {@link
 * Identifiers} (quoted; a channel over 63 characters is truncated like the listener's, never
 * refused), with no payload; it fails only where the connection or the transaction already did. If
 * it fails even so, enqueue says so ({@link OutboxException.EnqueueRefused}) rather than returning
 * as if the job would commit.
 */
final class NewJobNotifier {
  /**
   * The least time between two notifications of one outbox instance: 5 ms. A transaction that
   * enqueues within it after a notifying one does not notify; its job is found by the follow-up
   * claim that a drainer makes {@code Drainer.FOLLOW_UP} (also 5 ms) after any claim that found
   * jobs, or else at the next notification or poll. Keep the two equal.
   */
  static final Duration NOTIFY_INTERVAL = Duration.ofMillis(5);

  private static final long INTERVAL_NANOS = NOTIFY_INTERVAL.toNanos();

  private final String statement;
  private final AtomicLong lastSentNanos = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);

  /** Sends {@code statement}, throttled; null sends nothing (the database cannot push). */
  NewJobNotifier(String statement) {
    this.statement = statement;
  }

  /** After jobs were inserted on {@code connection}: notifies unless one was sent just now. */
  void jobsInserted(Connection connection, String kind, String table) {
    if (!claimTurn()) {
      return;
    }
    try (Statement notify = connection.createStatement()) {
      notify.execute(statement);
    } catch (SQLException e) {
      throw new OutboxException.EnqueueRefused(
          kind,
          "the job of kind '"
              + kind
              + "' was inserted into "
              + table
              + ", but notifying listening drainers ("
              + statement
              + ") failed: "
              + e.getMessage()
              + " (SQLState "
              + e.getSQLState()
              + "). On PostgreSQL this aborts your transaction: roll it back and try again; the"
              + " job commits only with it.",
          e);
    }
  }

  /** Whether this thread may notify now; at most one thread per interval wins. */
  boolean claimTurn() {
    if (statement == null) {
      return false;
    }
    long now = System.nanoTime();
    long last = lastSentNanos.get();
    return now - last >= INTERVAL_NANOS && lastSentNanos.compareAndSet(last, now);
  }

  /** Gives back a turn this thread took but did not use (its enqueue stored nothing). */
  void giveBackTurn() {
    lastSentNanos.addAndGet(-INTERVAL_NANOS);
  }
}
