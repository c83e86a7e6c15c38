package dev.outbox.internal;

import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Outcome;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * The drainer's view of the tables. Internal: not API; implemented by the JDBC module.
 *
 * <p>Every write after a claim is fenced: it applies only to rows that still carry the claim's
 * lease token, and returns how many it applied to.
 */
public interface OutboxStore {

  /**
   * Claims up to {@code limit} due jobs in one short transaction: sets a lease of {@code lease}
   * (database clock), a fresh lease token, and counts an attempt. Only the head of each ordering
   * key is claimable.
   */
  List<ClaimedRow> claim(int limit, Duration lease);

  /** Deletes completed jobs; returns how many still held the token. */
  int complete(long leaseToken, List<Long> ids);

  /** Makes jobs pending again after a delay; returns how many still held the token. */
  int retry(long leaseToken, List<Retry> retries);

  /** Moves jobs to the dead letters in one transaction; returns how many held the token. */
  int deadLetter(long leaseToken, List<Burial> burials);

  /**
   * Extends the leases of jobs still held by {@code leaseToken} to {@code lease} from now (database
   * clock), in one statement; returns how many still held the token.
   */
  int renew(long leaseToken, List<Long> ids, Duration lease);

  /** Gives unfinished jobs back, due now, without counting the attempt. */
  int release(long leaseToken, List<Long> ids);

  /**
   * Runs a transactional handler: opens a transaction, locks the row and checks its token, runs
   * {@code work}, applies the outcome it returns in the same transaction and commits.
   */
  TxResult runInTransaction(ClaimedRow row, TxWork work);

  /**
   * Refuses, when a drainer starts, tables that lack what this version needs.
   *
   * @throws dev.outbox.OutboxException.Misconfigured naming the migrations to apply
   */
  default void requireSchema() {}

  /** Things an operator should know about the tables, logged once when a drainer starts. */
  List<String> startupWarnings();

  /**
   * Calls {@code onNewJobs} soon after a transaction that enqueued jobs commits, where the database
   * can push that (PostgreSQL's LISTEN/NOTIFY), not necessarily after every such transaction (the
   * JDBC outbox notifies at most once per 5 ms). Polling stays the guarantee; this only shortens
   * the wait. Closing the returned handle stops it.
   */
  default AutoCloseable subscribe(String name, Runnable onNewJobs) {
    return () -> {};
  }

  /**
   * Whether {@link #subscribe} pushes anything here. Only then does a listening drainer look again
   * a few milliseconds after a short claim (for jobs whose transactions a throttled notification
   * covered); elsewhere nothing tells it of new jobs, and it waits its poll interval.
   */
  default boolean pushesNewJobs() {
    return false;
  }

  /** The most connections the store's pool hands out at once, where the pool says. */
  default OptionalInt connectionLimit() {
    return OptionalInt.empty();
  }

  /**
   * A job to run again later.
   *
   * @param countsAttempt false for a "not yet" that must not use up an attempt
   * @param error the failure's text, or null
   */
  record Retry(long id, Duration delay, boolean countsAttempt, String error) {}

  /** A job to move to the dead letters. */
  record Burial(long id, DeadLetterReason reason, String error) {}

  /** The work of a transactional handler. */
  @FunctionalInterface
  interface TxWork {
    /** Runs on the transaction's connection. */
    Outcome run(Connection tx) throws Exception;
  }

  /** What became of a transactional run. */
  sealed interface TxResult {
    /** The lease was lost before the handler could run; it did not run. */
    record Fenced() implements TxResult {}

    /** The handler's writes and this outcome (not a failure) committed together. */
    record Committed(Outcome outcome) implements TxResult {}

    /** Everything was rolled back; the failure still has to be recorded. */
    record RolledBack(Throwable cause) implements TxResult {}

    /**
     * No connection could be had for the transaction (an exhausted pool): the handler did not run,
     * so the claim's attempt is not to be counted.
     */
    record NotRun(Throwable cause) implements TxResult {}
  }
}
