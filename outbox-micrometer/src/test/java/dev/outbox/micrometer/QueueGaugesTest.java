package dev.outbox.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.QueueStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class QueueGaugesTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static QueueStats due(long due) {
    return new QueueStats(due, 0, 0, Option.none(), Map.of(), 100_000, Instant.EPOCH);
  }

  @Test
  void aStartedGaugeSetQueriesAgainOnItsSchedule() throws Exception {
    CountDownLatch queries = new CountDownLatch(3);

    try (QueueGauges gauges =
        QueueGauges.start(
            registry,
            () -> {
              queries.countDown();
              return due(5);
            },
            Duration.ofMillis(10))) {
      assertTrue(queries.await(30, TimeUnit.SECONDS), "queried three times");
    }
    assertEquals(5, registry.get("outbox.jobs.due").gauge().value());
  }

  @Test
  void aFailingQueryKeepsTheLastValues() {
    AtomicBoolean fail = new AtomicBoolean();
    QueueGauges gauges =
        QueueGauges.manual(
            registry,
            () -> {
              if (fail.get()) {
                throw new IllegalStateException("database down");
              }
              return due(3);
            });
    gauges.refresh();
    fail.set(true);

    gauges.refresh();

    assertEquals(3, registry.get("outbox.jobs.due").gauge().value());
    assertEquals(0, registry.get("outbox.jobs.oldest.due.age").timeGauge().value());
  }

  @Test
  void aScheduleThatIsNotPositiveIsRefused() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> QueueGauges.start(registry, () -> due(0), Duration.ZERO));
    assertEquals("every must be positive, was PT0S", refused.getMessage());
  }
}
