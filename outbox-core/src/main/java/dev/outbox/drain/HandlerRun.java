package dev.outbox.drain;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One handler task of a batch: the jobs it decides (one, or all of a batch handler's), its timeout
 * from when it starts, and what it returned. It ends once, whichever comes first: it returns, it is
 * timed out, or it is cancelled at the shutdown deadline. Thread-safe.
 */
final class HandlerRun {
  private static final int RUNNING = 0;
  private static final int RETURNED = 1;
  private static final int TIMED_OUT = 2;
  private static final int CANCELLED = 3;

  final List<Long> ids;
  final boolean transactional;
  private final Duration timeout;
  private final Supplier<Object> work;
  private final Semaphore ended;
  private final AtomicInteger state = new AtomicInteger(RUNNING);
  private volatile long startedNanos;
  private volatile long startedMillis;
  private volatile long returnedNanos;
  private volatile Thread thread;
  private volatile Object result;
  private volatile Future<?> task;

  /**
   * @param work never throws: it turns the handler's failures into its result
   * @param ended released once when the run ends, so that its batch looks again
   */
  HandlerRun(
      List<Long> ids,
      boolean transactional,
      Duration timeout,
      Supplier<Object> work,
      Semaphore ended) {
    this.ids = ids;
    this.transactional = transactional;
    this.timeout = timeout;
    this.work = work;
    this.ended = ended;
  }

  void submitted(Future<?> task) {
    this.task = task;
  }

  /** Runs the work on the current (handler) thread. */
  void execute(HandlerThreads threads) {
    if (state.get() != RUNNING) {
      return; // cancelled before it started
    }
    thread = Thread.currentThread();
    startedMillis = System.currentTimeMillis();
    startedNanos = System.nanoTime();
    Object value;
    try {
      value = work.get();
    } finally {
      returnedNanos = System.nanoTime();
      thread = null;
    }
    synchronized (this) {
      result = value; // read only once the state says RETURNED
      if (state.compareAndSet(RUNNING, RETURNED)) {
        ended.release();
      } else if (state.get() == TIMED_OUT) {
        threads.returned();
      }
    }
  }

  /** Whether the run returned; then {@link #result()} is what it returned. */
  boolean returned() {
    return state.get() == RETURNED;
  }

  Object result() {
    return result;
  }

  /** Whether it started and has run past its timeout by {@code nowNanos}. */
  boolean overdue(long nowNanos) {
    long started = startedNanos;
    return state.get() == RUNNING && started != 0 && nowNanos - started > timeout.toNanos();
  }

  /** When the handler started, in epoch milliseconds; 0 if it never did. */
  long startedMillis() {
    return startedMillis;
  }

  /** How long it ran: until it returned, or until {@code nowNanos} if it is still running. */
  Duration ran(long nowNanos) {
    long started = startedNanos;
    long returned = returnedNanos;
    return started == 0
        ? Duration.ZERO
        : Duration.ofNanos((returned != 0 ? returned : nowNanos) - started);
  }

  Duration timeout() {
    return timeout;
  }

  /**
   * Ends a run past its timeout: interrupts its thread and gives the pool a thread in its place
   * until it returns. False if it returned first.
   */
  synchronized boolean timeOut(HandlerThreads threads) {
    if (!state.compareAndSet(RUNNING, TIMED_OUT)) {
      return false;
    }
    threads.abandon();
    Thread running = thread;
    if (running != null) {
      running.interrupt();
    }
    return true;
  }

  /** Ends a run at the shutdown deadline, interrupting it. False if it returned first. */
  synchronized boolean cancel() {
    if (!state.compareAndSet(RUNNING, CANCELLED)) {
      return false;
    }
    Future<?> running = task;
    if (running != null) {
      running.cancel(true);
    }
    return true;
  }
}
