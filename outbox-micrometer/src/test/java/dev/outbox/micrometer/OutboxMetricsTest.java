package dev.outbox.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.OutboxTestBase;
import dev.outbox.jdbc.TestJob;
import dev.outbox.jdbc.TestJob.Boom;
import dev.outbox.jdbc.TestJob.Greet;
import dev.outbox.jdbc.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meters after a real drain with successes, retries and dead letters, on H2. */
class OutboxMetricsTest extends OutboxTestBase {

  @Override
  protected TestDatabase database() {
    return TestDatabase.H2;
  }

  /**
   * Three good jobs, two that fail twice (retried, then dead-lettered), one unparseable row, one
   * job scheduled for later that stays; drained in two rounds.
   */
  private DrainReport drain(MeterRegistry registry) throws Exception {
    enqueueCommitted(new Greet("a"), new Greet("b"), new Greet("c"), new Boom("x"), new Boom("y"));
    insertRaw("no-such-kind", "{}");
    Drainer<TestJob> drainer =
        drainer()
            .name("orders")
            .maxAttempts(2)
            .listener(DrainMetrics.of(registry))
            .handler(
                job ->
                    job.payload() instanceof Boom
                        ? Outcome.failed(new IllegalStateException("boom"))
                        : Outcome.done())
            .build();
    DrainReport first = drainer.drainOnce();
    makeAllDue();
    return first.plus(drainer.drainOnce());
  }

  @Test
  void countersAndTimersMatchTheDrain() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    DrainReport report = drain(registry);

    assertEquals(3, report.succeeded());
    assertEquals(2, report.retried());
    assertEquals(3, report.deadLettered());
    assertEquals(report.claimed(), count(registry, "outbox.jobs.claimed"));
    assertEquals(
        3, count(registry, "outbox.jobs.handled", "kind", "Greet", "outcome", "succeeded"));
    assertEquals(4, count(registry, "outbox.jobs.handled", "kind", "Boom", "outcome", "failed"));
    assertEquals(2, count(registry, "outbox.jobs.retried", "kind", "Boom"));
    assertEquals(
        2,
        count(
            registry, "outbox.jobs.dead.lettered", "kind", "Boom", "reason", "retries_exhausted"));
    assertEquals(
        1,
        count(
            registry,
            "outbox.jobs.dead.lettered",
            "kind",
            DrainMetrics.UNPARSEABLE_KIND,
            "reason",
            "unparseable"));
    Timer greetDuration =
        registry
            .get("outbox.handler.duration")
            .tags("drainer", "orders", "kind", "Greet", "outcome", "succeeded")
            .timer();
    assertEquals(3, greetDuration.count());
    assertEquals(
        7,
        registry.get("outbox.jobs.lag").tags("drainer", "orders").timers().stream()
            .mapToLong(Timer::count)
            .sum(),
        "one lag per handler run");
  }

  @Test
  void queueGaugesReadTheLastStatsQuery() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    QueueGauges gauges = QueueGauges.manual(registry, outbox::stats);
    assertTrue(Double.isNaN(registry.get("outbox.jobs.due").gauge().value()), "before any query");

    enqueueCommitted(new Greet("now"), new Greet("also now"));
    drain(registry);
    enqueueCommitted(new Greet("d1"), new Greet("d2"));
    execute("UPDATE " + jobTable + " SET run_at = " + (System.currentTimeMillis() - 120_000));
    gauges.refresh();

    assertEquals(2, registry.get("outbox.jobs.due").gauge().value());
    assertEquals(0, registry.get("outbox.jobs.scheduled").gauge().value());
    assertEquals(0, registry.get("outbox.jobs.leased").gauge().value());
    double age = registry.get("outbox.jobs.oldest.due.age").timeGauge().value(TimeUnit.SECONDS);
    assertTrue(age >= 110, "oldest due age in seconds, was " + age);
    assertEquals(
        2, registry.get("outbox.dead.letters").tag("reason", "retries_exhausted").gauge().value());
    assertEquals(
        1, registry.get("outbox.dead.letters").tag("reason", "unparseable").gauge().value());
  }

  @Test
  void prometheusScrapeShowsTheConventionalNames() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    QueueGauges.manual(registry, outbox::stats);

    drain(registry);
    String scrape = registry.scrape();

    assertContains(
        scrape,
        "outbox_jobs_handled_total{drainer=\"orders\",kind=\"Greet\",outcome=\"succeeded\"} 3.0",
        "outbox_jobs_dead_lettered_total{drainer=\"orders\",kind=\"Boom\",reason=\"retries_exhausted\"} 2.0",
        "outbox_jobs_retried_total{drainer=\"orders\",kind=\"Boom\"} 2.0",
        "outbox_handler_duration_seconds_count{drainer=\"orders\",kind=\"Boom\",outcome=\"failed\"} 4",
        "outbox_jobs_lag_seconds_count{drainer=\"orders\",kind=\"Greet\"} 3",
        "outbox_jobs_oldest_due_age_seconds",
        "outbox_dead_letters{reason=\"unparseable\"}");
  }

  private static double count(MeterRegistry registry, String name, String... tags) {
    return registry.get(name).tag("drainer", "orders").tags(tags).counter().count();
  }
}
