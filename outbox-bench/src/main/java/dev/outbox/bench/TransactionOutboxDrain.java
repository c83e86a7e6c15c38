package dev.outbox.bench;

import com.gruelbox.transactionoutbox.Dialect;
import com.gruelbox.transactionoutbox.Persistor;
import com.gruelbox.transactionoutbox.Submitter;
import com.gruelbox.transactionoutbox.ThreadLocalContextTransactionManager;
import com.gruelbox.transactionoutbox.TransactionManager;
import com.gruelbox.transactionoutbox.TransactionOutbox;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Peer: gruelbox transaction-outbox on its flush path. Its normal path runs each call right after
 * the enqueuing transaction commits, so a backlog exists only after a crash: the prefill schedules
 * the calls with a submitter that runs nothing (the crash) and a clock an hour behind (so that they
 * are all due). The drain then calls {@code flush()} in a loop, as a recovery scheduler would, and
 * its submitter runs the calls on {@code threads} executor threads; a new flush is started as soon
 * as the executor's queue has room for another flush batch.
 */
final class TransactionOutboxDrain implements DrainContestant {
  static final String TABLE = "TXNO_OUTBOX";
  private static final int FLUSH_BATCH = 4096;

  private static volatile Tally current = Tally.of(0);

  private final Database db;

  /** The call transaction-outbox records and replays; instantiated by it through reflection. */
  public static class NoopCall {
    /** Tells the tally. */
    public void run(int seq) {
      current.handled(seq);
    }
  }

  TransactionOutboxDrain(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return "transaction-outbox";
  }

  @Override
  public void prefill(int jobs, DrainSetup setup) {
    ThreadLocalContextTransactionManager transactions =
        TransactionManager.fromDataSource(db.uncounted());
    TransactionOutbox crashed =
        TransactionOutbox.builder()
            .transactionManager(transactions)
            .persistor(Persistor.forDialect(Dialect.POSTGRESQL_9))
            .submitter((entry, localExecutor) -> {})
            .clockProvider(() -> Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)))
            .build();
    db.execute("TRUNCATE TABLE " + TABLE);
    for (int first = 0; first < jobs; first += 1_000) {
      int from = first;
      int to = Math.min(jobs, first + 1_000);
      transactions.inTransaction(
          () -> {
            for (int seq = from; seq < to; seq++) {
              crashed.schedule(NoopCall.class).run(seq);
            }
          });
    }
    db.vacuumAnalyze(TABLE);
  }

  @Override
  public AutoCloseable start(DrainSetup setup, Tally tally) {
    current = tally;
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            setup.threads(),
            setup.threads(),
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(4 * FLUSH_BATCH));
    TransactionOutbox outbox =
        TransactionOutbox.builder()
            .transactionManager(TransactionManager.fromDataSource(db.dataSource()))
            .persistor(Persistor.forDialect(Dialect.POSTGRESQL_9))
            .submitter(Submitter.withExecutor(executor))
            .flushBatchSize(FLUSH_BATCH)
            .build();
    Loops flusher = new Loops("txno-flush");
    flusher.start(() -> flushWhenRoom(outbox, executor));
    return () -> {
      flusher.close();
      executor.shutdown();
      executor.awaitTermination(1, TimeUnit.MINUTES);
    };
  }

  private static boolean flushWhenRoom(TransactionOutbox outbox, ThreadPoolExecutor executor)
      throws InterruptedException {
    while (executor.getQueue().remainingCapacity() < FLUSH_BATCH) {
      Thread.sleep(1);
    }
    if (outbox.flush()) {
      return true;
    }
    Thread.sleep(10);
    return true;
  }

  @Override
  public long leftOver() {
    return db.rows(TABLE);
  }
}
