package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import dev.outbox.drain.Outcome;
import dev.outbox.internal.ClaimedRow;
import dev.outbox.internal.OutboxStore;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;

/** The drainer's store over JDBC. Thread-safe; borrows a connection per operation. Internal. */
public final class JdbcStore implements OutboxStore {
  private static final RandomGenerator TOKENS = new SecureRandom();

  private final SqlDialect sql;
  private final Transactions transactions;
  private final ClaimCursor cursor = new ClaimCursor();

  public JdbcStore(SqlDialect sql, Transactions transactions) {
    this.sql = sql;
    this.transactions = transactions;
  }

  /**
   * Claims from where the cursor says (see {@link ClaimCursor}); when a claim from a position runs
   * out before the batch is full, claims the rest from the front at once, so that no claimable job
   * waits for a later poll because of the watermark. Jobs whose ordering key a concurrent claim
   * also took are given back (see {@link KeyCollisions}).
   */
  @Override
  public List<ClaimedRow> claim(int limit, Duration lease) {
    return KeyCollisions.released(sql, transactions, claimRows(limit, lease));
  }

  private List<ClaimedRow> claimRows(int limit, Duration lease) {
    long token = TOKENS.nextLong();
    ClaimCursor.Start start = cursor.start();
    Claim claim = claimFrom(start, limit, lease, token);
    if (start.from() == null || !claim.exhausted()) {
      return claim.rows();
    }
    cursor.restartFromFront();
    Claim rest = claimFrom(ClaimCursor.Start.FRONT, limit - claim.rows().size(), lease, token);
    if (claim.rows().isEmpty()) {
      return rest.rows();
    }
    List<ClaimedRow> all = new ArrayList<>(claim.rows());
    all.addAll(rest.rows());
    return all;
  }

  /** One claim from {@code start}, reported to the cursor whether it succeeds or fails. */
  private Claim claimFrom(ClaimCursor.Start start, int limit, Duration lease, long token) {
    Claim claim = null;
    try {
      claim = claimOnce(limit, lease, token, start);
      return claim;
    } finally {
      if (claim == null) {
        cursor.failed(start);
      } else {
        cursor.claimed(start, claim);
      }
    }
  }

  /**
   * One claim statement (or transaction). A claim chosen as a deadlock victim (seen on MariaDB with
   * concurrent claims and completions) was rolled back whole, so it is simply tried again.
   */
  private Claim claimOnce(int limit, Duration lease, long token, ClaimCursor.Start start) {
    String what = "claiming jobs from " + sql.jobTable();
    Transactions.Work<Claim> work =
        connection -> sql.claim(connection, limit, lease.toMillis(), token, start);
    return Transactions.retryingConflicts(
        () ->
            sql.claimIsOneStatement()
                ? transactions.autoCommit(what, work)
                : transactions.inTransaction(what, sql.claimWantsReadCommitted(), work));
  }

  @Override
  public int complete(long leaseToken, List<Long> ids) {
    return Transactions.retryingOutcomeWrite(
        () ->
            transactions.autoCommit(
                "completing jobs in " + sql.jobTable(),
                connection -> sql.complete(connection, leaseToken, ids)));
  }

  @Override
  public int retry(long leaseToken, List<Retry> retries) {
    return Transactions.retryingOutcomeWrite(() -> reschedule(leaseToken, retries));
  }

  private int reschedule(long leaseToken, List<Retry> retries) {
    return transactions.inTransaction(
        "rescheduling jobs in " + sql.jobTable(),
        connection -> {
          int applied = 0;
          try (PreparedStatement update = connection.prepareStatement(sql.retry())) {
            for (Retry retry : retries) {
              update.setLong(1, retry.delay().toMillis());
              update.setInt(2, retry.countsAttempt() ? 0 : 1);
              update.setString(3, retry.error());
              update.setLong(4, retry.id());
              update.setLong(5, leaseToken);
              applied += update.executeUpdate();
            }
          }
          return applied;
        });
  }

  @Override
  public int deadLetter(long leaseToken, List<Burial> burials) {
    return Transactions.retryingOutcomeWrite(() -> moveToDeadLetters(leaseToken, burials));
  }

  private int moveToDeadLetters(long leaseToken, List<Burial> burials) {
    return transactions.inTransaction(
        "moving jobs to " + sql.deadLetterTable(),
        connection -> {
          int applied = 0;
          for (Burial burial : burials) {
            applied += bury(connection, leaseToken, burial);
          }
          return applied;
        });
  }

  private int bury(Connection connection, long leaseToken, Burial burial) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(sql.bury())) {
      insert.setString(1, burial.reason().name());
      insert.setString(2, burial.error());
      insert.setLong(3, burial.id());
      insert.setLong(4, leaseToken);
      if (insert.executeUpdate() == 0) {
        return 0;
      }
    }
    return deleteLeased(connection, burial.id(), leaseToken);
  }

  private int deleteLeased(Connection connection, long id, long leaseToken) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement(sql.deleteLeased())) {
      delete.setLong(1, id);
      delete.setLong(2, leaseToken);
      return delete.executeUpdate();
    }
  }

  @Override
  public int renew(long leaseToken, List<Long> ids, Duration lease) {
    return transactions.autoCommit(
        "renewing leases in " + sql.jobTable(),
        connection -> sql.renew(connection, leaseToken, ids, lease.toMillis()));
  }

  @Override
  public int release(long leaseToken, List<Long> ids) {
    return Transactions.retryingOutcomeWrite(
        () ->
            transactions.autoCommit(
                "releasing jobs in " + sql.jobTable(),
                connection -> sql.release(connection, leaseToken, ids)));
  }

  @Override
  public TxResult runInTransaction(ClaimedRow row, TxWork work) {
    try {
      return transactions.inHandlerTransaction(
          "running a transactional handler for job " + row.id(),
          connection -> {
            if (!lock(connection, row)) {
              return new TxResult.Fenced();
            }
            GuardedConnection guard = GuardedConnection.around(connection);
            try {
              TxResult result = apply(connection, row, handle(guard, work));
              commitThroughCompletion(guard);
              return result;
            } catch (SQLException | RuntimeException | Error e) {
              guard.rollbackThroughCompletion(e);
              throw e;
            }
          });
    } catch (HandlerFailed e) {
      return new TxResult.RolledBack(e.getCause());
    } catch (Transactions.NoConnection e) {
      return new TxResult.NotRun(e);
    } catch (OutboxException.StoreFailure e) {
      return new TxResult.RolledBack(e);
    }
  }

  /** Runs the handler on the guarded connection; a throw or a refused call is a failure. */
  private static Outcome handle(GuardedConnection guard, TxWork work) {
    Outcome outcome;
    try {
      outcome = work.run(guard.connection());
    } catch (Throwable e) { // an Error too: it fails this job alone
      throw new HandlerFailed(e);
    }
    if (guard.misuse() != null) {
      throw new HandlerFailed(
          new OutboxException(
              "the transactional handler called "
                  + guard.misuse()
                  + ", which the library forbids; its writes were rolled back"));
    }
    return outcome;
  }

  /**
   * Lets an adapter that registered a completion (a Hibernate session) commit: its own work before
   * and after the commit is the handler's, so its failure is one too. Without one, the commit is
   * left to {@link Transactions}; after one, that commit finds nothing left to do.
   */
  private static void commitThroughCompletion(GuardedConnection guard) {
    try {
      guard.commitThroughCompletion();
    } catch (Throwable e) {
      throw new HandlerFailed(e);
    }
  }

  private boolean lock(Connection connection, ClaimedRow row) throws SQLException {
    try (PreparedStatement lock = connection.prepareStatement(sql.lockLeased())) {
      lock.setLong(1, row.id());
      lock.setLong(2, row.leaseToken());
      try (ResultSet found = lock.executeQuery()) {
        return found.next();
      }
    }
  }

  private TxResult apply(Connection connection, ClaimedRow row, Outcome outcome)
      throws SQLException {
    if (outcome == null || outcome instanceof Outcome.Failed) {
      Throwable cause =
          outcome == null
              ? new OutboxException("the transactional handler returned null")
              : ((Outcome.Failed) outcome).cause();
      throw new HandlerFailed(cause);
    }
    if (outcome instanceof Outcome.Done) {
      deleteLeased(connection, row.id(), row.leaseToken());
    } else if (outcome instanceof Outcome.DeadLetterNow now) {
      bury(
          connection,
          row.leaseToken(),
          new Burial(row.id(), now.reason(), dev.outbox.internal.ErrorText.bounded(now.why())));
    } else if (outcome instanceof Outcome.RetryLater later) {
      try (PreparedStatement update = connection.prepareStatement(sql.retry())) {
        update.setLong(1, later.delay().toMillis());
        update.setInt(2, 1);
        update.setString(3, null);
        update.setLong(4, row.id());
        update.setLong(5, row.leaseToken());
        update.executeUpdate();
      }
    }
    return new TxResult.Committed(outcome);
  }

  @Override
  public void requireSchema() {
    Schema.require(transactions, sql);
  }

  @Override
  public List<String> startupWarnings() {
    return transactions.autoCommit("checking " + sql.jobTable(), sql::warnings);
  }

  @Override
  public AutoCloseable subscribe(String name, Runnable onNewJobs) {
    return sql.subscribe(transactions.dataSource(), name, onNewJobs);
  }

  @Override
  public OptionalInt connectionLimit() {
    return PoolSize.of(transactions.dataSource());
  }

  @Override
  public boolean pushesNewJobs() {
    return sql.notifyNewJobs() != null;
  }

  /** Carries a handler's failure out of the transaction so that it rolls back. */
  private static final class HandlerFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HandlerFailed(Throwable cause) {
      super(cause);
    }
  }
}
