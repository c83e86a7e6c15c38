package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/** A drainer keeps the settings it was built with: its builder is copied, not shared. */
class FrozenSettingsTest extends OutboxTestBase {
  @Override
  protected TestDatabase database() {
    return TestDatabase.H2;
  }

  @Test
  void aBuilderChangedAfterBuildLeavesTheDrainerItBuiltAsItWas() throws Exception {
    DrainerBuilder<TestJob> builder =
        drainer().maxAttempts(3).handler(job -> Outcome.failed(new IllegalStateException("no")));
    try (Drainer<TestJob> drainer = builder.build()) {
      builder
          .maxAttempts(1)
          .nonRetryable(IllegalStateException.class)
          .transactional(TestJob.Greet.class, (job, tx) -> Outcome.done());
      enqueueCommitted(new TestJob.Greet("ada"));

      DrainReport report = drainer.drainOnce();

      assertEquals(1, report.retried(), report.toString());
      assertEquals(0, report.deadLettered(), report.toString());
      assertEquals(1, count(jobTable));
      assertEquals(0, count(deadLetterTable));
    }
  }
}
