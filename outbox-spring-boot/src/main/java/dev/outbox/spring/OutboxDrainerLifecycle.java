package dev.outbox.spring;

import dev.outbox.drain.Drainer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the outbox's drainer with the application context: started when the context has been
 * refreshed (after every singleton, so after Flyway or Liquibase ran), stopped in the phase of
 * Boot's graceful web-server shutdown, where it stops claiming, lets in-flight handlers finish
 * within {@code outbox.drainer.shutdown-timeout} and releases the jobs of the rest, so that none
 * waits for its lease. While it runs, a non-daemon thread keeps a worker application without a web
 * server alive. Thread-safe.
 */
public final class OutboxDrainerLifecycle implements SmartLifecycle, DisposableBean {
  /**
   * The lifecycle phase: Boot's graceful web-server shutdown phase ({@code
   * SmartLifecycle.DEFAULT_PHASE - 1024}), so that both stop together within one {@code
   * spring.lifecycle.timeout-per-shutdown-phase}.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

  /** Default time in-flight handlers get at shutdown: 20 seconds, inside Boot's 30 s a phase. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);

  private final Supplier<Drainer<?>> factory;
  private final Duration shutdownTimeout;
  private Drainer<?> drainer;
  private CountDownLatch keepAlive;

  OutboxDrainerLifecycle(Supplier<Drainer<?>> factory, Duration shutdownTimeout) {
    this.factory = factory;
    this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    // Built now, so that a bad setting or a missing handler fails the context's start.
    this.drainer = factory.get();
  }

  /** The running drainer (its totals, a wake-up), or null while stopped. */
  public synchronized Drainer<?> drainer() {
    return keepAlive == null ? null : drainer;
  }

  @Override
  public synchronized void start() {
    if (keepAlive != null) {
      return;
    }
    if (drainer == null) {
      drainer = factory.get();
    }
    drainer.start();
    keepAlive = new CountDownLatch(1);
    CountDownLatch latch = keepAlive;
    Thread thread =
        new Thread(
            () -> {
              try {
                latch.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "outbox-drainer-keep-alive");
    thread.setDaemon(false);
    thread.start();
  }

  @Override
  public void stop() {
    Drainer<?> running;
    CountDownLatch latch;
    synchronized (this) {
      if (keepAlive == null) {
        return;
      }
      running = drainer;
      latch = keepAlive;
      drainer = null;
      keepAlive = null;
    }
    try {
      running.close(shutdownTimeout);
    } finally {
      latch.countDown();
    }
  }

  /** Wakes the running drainer, if any. */
  void wake() {
    Drainer<?> running = drainer();
    if (running != null) {
      running.wake();
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return keepAlive != null;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** Closes a drainer that was built but never started, or not stopped. */
  @Override
  public void destroy() {
    stop();
    Drainer<?> idle;
    synchronized (this) {
      idle = drainer;
      drainer = null;
    }
    if (idle != null) {
      idle.close(Duration.ZERO);
    }
  }
}
