package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ch.qos.logback.classic.Level;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.CapturedLogs;
import dev.outbox.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/** The warning about outcomes not applied says what is known, not who took the jobs. */
class FencedOutcomeMessageTest extends OutboxTestBase {
  @Override
  protected TestDatabase database() {
    return TestDatabase.H2;
  }

  @Test
  void aSingleDrainerWhoseJobWasClaimedAgainIsNotToldAnotherDrainerTookIt() throws Exception {
    enqueueCommitted(new TestJob.Greet("reclaimed"));
    var drainer =
        drainer()
            .handler(
                job -> {
                  // As a later claim would: the row now carries another lease token.
                  execute("UPDATE " + jobTable + " SET lease_token = 42, lease_until = 0");
                  return Outcome.done();
                })
            .build();

    DrainReport report;
    String logs;
    try (CapturedLogs captured = CapturedLogs.of(Drainer.class)) {
      report = drainer.drainOnce();
      logs = String.join("\n", captured.at(Level.WARN));
    }

    assertEquals(1, report.fenced());
    assertContains(logs, "1 outcome(s) were not applied", "by this drainer or another");
    assertFalse(logs.contains("another drainer took the jobs"), logs);
  }
}
