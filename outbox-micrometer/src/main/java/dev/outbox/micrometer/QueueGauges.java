package dev.outbox.micrometer;

import dev.outbox.QueueStats;
import dev.outbox.deadletter.DeadLetterReason;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of the queue, read from a {@code stats()} query run on a schedule, never per job and never
 * per scrape: a scrape reads the last result. Until the first query returns the gauges read NaN.
 *
 * <table>
 *   <caption>Gauges</caption>
 *   <tr><th>Name</th><th>Tags</th><th>Value</th></tr>
 *   <tr><td>outbox.jobs.due</td><td></td><td>jobs due now, not leased</td></tr>
 *   <tr><td>outbox.jobs.scheduled</td><td></td><td>jobs due later</td></tr>
 *   <tr><td>outbox.jobs.leased</td><td></td><td>jobs a drainer holds</td></tr>
 *   <tr><td>outbox.jobs.oldest.due.age</td><td></td><td>seconds since the oldest due job became
 *   due, 0 when none is</td></tr>
 *   <tr><td>outbox.dead.letters</td><td>reason</td><td>dead letters with that reason</td></tr>
 * </table>
 *
 * <p>A failing query is logged (at WARN the first time in a row, then DEBUG) and leaves the last
 * values. Thread-safe. Close it to stop the queries; the gauges then keep the last values.
 */
public final class QueueGauges implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueueGauges.class);

  private final Supplier<QueueStats> stats;
  private final AtomicReference<QueueStats> last = new AtomicReference<>();
  private final ScheduledExecutorService scheduler;
  private boolean failing; // touched by the scheduler's one thread only, or by refresh() callers

  private QueueGauges(MeterRegistry registry, Supplier<QueueStats> stats, boolean scheduled) {
    this.stats = stats;
    this.scheduler =
        scheduled ? Executors.newSingleThreadScheduledExecutor(QueueGauges::thread) : null;
    gauge(registry, "outbox.jobs.due", QueueStats::due);
    gauge(registry, "outbox.jobs.scheduled", QueueStats::scheduled);
    gauge(registry, "outbox.jobs.leased", QueueStats::leased);
    TimeGauge.builder(
            "outbox.jobs.oldest.due.age",
            last,
            TimeUnit.MILLISECONDS,
            ref -> read(ref, s -> s.oldestDueAge().map(Duration::toMillis).getOrElse(0L)))
        .description("How long the oldest due job has been waiting")
        .strongReference(true)
        .register(registry);
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      Gauge.builder("outbox.dead.letters", last, ref -> read(ref, s -> s.deadLetters().get(reason)))
          .tag("reason", reason.name().toLowerCase(Locale.ROOT))
          .strongReference(true)
          .register(registry);
    }
  }

  /**
   * Registers the gauges and runs {@code stats} now and then every {@code every} on a daemon
   * thread.
   *
   * @param stats usually {@code outbox::stats}
   * @throws IllegalArgumentException if {@code every} is not positive
   */
  public static QueueGauges start(
      MeterRegistry registry, Supplier<QueueStats> stats, Duration every) {
    Objects.requireNonNull(every, "every");
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("every must be positive, was " + every);
    }
    QueueGauges gauges = create(registry, stats, true);
    gauges.scheduler.scheduleWithFixedDelay(
        gauges::refresh, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    return gauges;
  }

  /**
   * Registers the gauges without a schedule: they change only when {@link #refresh()} is called.
   */
  public static QueueGauges manual(MeterRegistry registry, Supplier<QueueStats> stats) {
    return create(registry, stats, false);
  }

  private static QueueGauges create(
      MeterRegistry registry, Supplier<QueueStats> stats, boolean scheduled) {
    return new QueueGauges(
        Objects.requireNonNull(registry, "registry"),
        Objects.requireNonNull(stats, "stats"),
        scheduled);
  }

  /** Runs the query once and stores its result for the gauges; never throws. */
  public synchronized void refresh() {
    try {
      last.set(stats.get());
      failing = false;
    } catch (RuntimeException e) {
      if (!failing) {
        log.warn(
            "the queue statistics query failed; the gauges keep their last values: {}",
            e.toString());
      }
      log.debug("queue statistics failure", e);
      failing = true;
    }
  }

  /** Stops the scheduled queries. */
  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  private void gauge(MeterRegistry registry, String name, ToDoubleFunction<QueueStats> value) {
    Gauge.builder(name, last, ref -> read(ref, value)).strongReference(true).register(registry);
  }

  private static double read(AtomicReference<QueueStats> ref, ToDoubleFunction<QueueStats> value) {
    QueueStats stats = ref.get();
    return stats == null ? Double.NaN : value.applyAsDouble(stats);
  }

  private static Thread thread(Runnable runnable) {
    Thread thread = new Thread(runnable, "outbox-queue-gauges");
    thread.setDaemon(true);
    return thread;
  }
}
