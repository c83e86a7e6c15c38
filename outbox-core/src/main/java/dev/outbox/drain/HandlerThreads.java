package dev.outbox.drain;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads a drainer's handlers run on: {@code concurrency} of them, plus one for each handler
 * that outlived its timeout and has not returned yet, so that a handler ignoring its interrupt
 * keeps its own thread but never one the drainer's other jobs need. Thread-safe.
 */
final class HandlerThreads {
  private final int concurrency;
  private final ThreadPoolExecutor pool;
  private int abandoned;

  HandlerThreads(int concurrency, ThreadFactory threads) {
    this.concurrency = concurrency;
    this.pool =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            threads);
  }

  /** Runs {@code run}'s work on a handler thread. */
  void start(HandlerRun run) {
    run.submitted(pool.submit(() -> run.execute(this)));
  }

  /** A handler outlived its timeout: give the others a thread in its place while it runs. */
  synchronized void abandon() {
    abandoned++;
    resize();
  }

  /** An abandoned handler finally returned: its stand-in thread is no longer needed. */
  synchronized void returned() {
    abandoned--;
    resize();
  }

  private void resize() {
    int size = concurrency + Math.max(0, abandoned);
    if (size > pool.getMaximumPoolSize()) {
      pool.setMaximumPoolSize(size);
      pool.setCorePoolSize(size);
    } else {
      pool.setCorePoolSize(size);
      pool.setMaximumPoolSize(size);
    }
  }

  /** Interrupts every handler and accepts no more. */
  void shutdownNow() {
    pool.shutdownNow();
  }
}
