package dev.outbox.faults;

import dev.outbox.jdbc.JdbcOutbox;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import javax.sql.DataSource;

/**
 * Producer threads that enqueue numbered jobs in transactions of one to eight jobs, rolling back
 * about one transaction in five, and write down in a {@link Ledger} what committed, what rolled
 * back and what could not be told (the connection died during the commit). A producer that meets a
 * database error counts its transaction as rolled back, pauses and goes on: an application would.
 */
final class Producers {
  private final DataSource dataSource;
  private final JdbcOutbox<FaultJob> outbox;
  private final Ledger ledger;
  private final LongFunction<FaultJob> jobOf;
  private final AtomicLong next = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean stopped;

  Producers(
      DataSource dataSource, JdbcOutbox<FaultJob> outbox, Ledger ledger, LongFunction<FaultJob> j) {
    this.dataSource = dataSource;
    this.outbox = outbox;
    this.ledger = ledger;
    this.jobOf = j;
  }

  /** Runs {@code threads} producers until {@code jobs} numbers are used or {@link #stop()}. */
  List<Future<?>> start(ExecutorService pool, int threads, long jobs) {
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      running.add(
          pool.submit(
              () -> {
                while (!stopped && next.get() < jobs) {
                  produceOne(jobs);
                }
                return null;
              }));
    }
    return running;
  }

  /** Runs the producers to the end and waits for them. */
  void run(int threads, long jobs) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (Future<?> producer : start(pool, threads, jobs)) {
        producer.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  void stop() {
    stopped = true;
  }

  /** Transactions that met a database error (counted as rolled back). */
  long failures() {
    return failures.get();
  }

  private void produceOne(long limit) throws InterruptedException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<Long> numbers = new ArrayList<>();
    List<FaultJob> jobs = new ArrayList<>();
    int size = 1 + random.nextInt(8);
    for (int i = 0; i < size; i++) {
      long n = next.getAndIncrement();
      if (n >= limit) {
        break;
      }
      numbers.add(n);
      jobs.add(jobOf.apply(n));
    }
    if (numbers.isEmpty()) {
      return;
    }
    boolean rollBack = random.nextInt(5) == 0;
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      boolean sent = false;
      try {
        if (random.nextBoolean()) {
          outbox.enqueueAll(tx, jobs);
        } else {
          for (FaultJob job : jobs) {
            outbox.enqueue(tx, job);
          }
        }
        if (rollBack) {
          tx.rollback();
          ledger.rolledBack(numbers);
          return;
        }
        sent = true;
        tx.commit();
        ledger.committed(numbers);
      } catch (SQLException | RuntimeException e) {
        failed(numbers, sent);
        quietlyRollBack(tx);
      }
    } catch (SQLException e) {
      failed(numbers, false); // no connection: nothing was written
    }
  }

  private void failed(List<Long> numbers, boolean commitSent) throws InterruptedException {
    failures.incrementAndGet();
    if (commitSent) {
      ledger.inDoubt(numbers);
    } else {
      ledger.rolledBack(numbers);
    }
    Thread.sleep(100);
  }

  private static void quietlyRollBack(Connection tx) {
    try {
      tx.rollback();
    } catch (SQLException ignored) {
      // the connection is gone; the server rolled back whatever was not committed
    }
  }
}
