package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    DrainReport report;
    try {
      report = drainer.drainOnce();
    } finally {
      System.setErr(original);
    }
    String logs = captured.toString(StandardCharsets.UTF_8);

    assertEquals(1, report.fenced());
    assertContains(logs, "1 outcome(s) were not applied", "by this drainer or another");
    assertFalse(logs.contains("another drainer took the jobs"), logs);
  }
}
