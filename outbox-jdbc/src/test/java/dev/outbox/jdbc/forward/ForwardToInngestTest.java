package dev.outbox.jdbc.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.forward.InngestForwarder;
import dev.outbox.forward.InngestTestServer;
import dev.outbox.jdbc.OutboxTestBase;
import dev.outbox.jdbc.TestJob;
import dev.outbox.jdbc.TestJob.Greet;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * End to end on H2: jobs committed with the outbox, drained by a real drainer whose batch handler
 * is the Inngest forwarder, arriving at the test Event API server. Asserts by counting.
 */
class ForwardToInngestTest extends OutboxTestBase {
  private static final String KEY = "e2e-event-key";

  private final InngestTestServer server = InngestTestServer.start();

  @Override
  protected TestDatabase database() {
    return TestDatabase.H2;
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void everyCommittedJobArrivesOnceThroughFaultsAndNoRolledBackOneEver() throws Exception {
    enqueueCommitted(greetings("committed", 250));
    Set<String> expected = eventIds();
    enqueueRolledBack(greetings("rolled-back", 20));
    server.failNext(1).dropResponseToNext(1).delayNext(1, Duration.ofSeconds(3));
    Drainer<TestJob> drainer = drainerTo(forwarder(Duration.ofMillis(500))).batchSize(100).build();

    drainUntilEmpty(drainer);

    assertEquals(0, count(jobTable), "every job finished");
    assertEquals(0, count(deadLetterTable), "none given up");
    assertTrue(drainer.totals().counts().get("eventsSent") >= 250, "resends count again");
    assertTrue(drainer.totals().counts().get("retries") >= 1, "the injected faults were retried");
    assertEquals(expected, server.ids(), "every committed job's event, and nothing else");
    assertEquals(250, server.triggeredRuns(), "each event triggers once despite resends");
    assertTrue(server.events().size() > 250, "the faults made the drainer resend");
  }

  @Test
  void aRefusedKeyLeavesEveryJobPendingWithItsAttemptsUntouched() throws Exception {
    server.requireKey("another-key");
    List<Long> ids = enqueueCommitted(greetings("pending", 30));
    Drainer<TestJob> drainer = drainerTo(forwarder(Duration.ofSeconds(5))).build();

    DrainReport first = drainer.drainOnce();
    makeAllDue();
    DrainReport second = drainer.drainOnce();

    assertEquals(30, first.snoozed());
    assertEquals(30, second.snoozed(), "paused: handed back again without a request");
    assertEquals(1, server.requests().size());
    assertEquals(30, count(jobTable));
    assertEquals(0, count(deadLetterTable));
    for (long id : ids) {
      assertEquals(0, attempts(id), "job " + id + " used no attempt");
    }
  }

  @Test
  void aBadEventIsDeadLetteredAloneWithTheServersErrorAndTheRestArrive() throws Exception {
    server.rejectEvents(e -> e.path("data").path("name").asText().equals("poison"), "blocked");
    List<Greet> jobs = new ArrayList<>(List.of(greetings("fine", 40)));
    jobs.add(17, new Greet("poison"));
    List<Long> ids = enqueueCommitted(jobs.toArray(TestJob[]::new));
    Drainer<TestJob> drainer = drainerTo(forwarder(Duration.ofSeconds(5))).build();

    DrainReport report = drainer.drainOnce();

    assertEquals(40, report.succeeded());
    assertEquals(1, report.deadLettered());
    assertEquals(40L, report.counts().get("eventsSent"), "the report shows the forwarder's work");
    assertEquals(1L, report.counts().get("rejections"));
    assertTrue(report.counts().get("splits") >= 1, "isolating the bad event split requests");
    assertTrue(report.counts().get("requests") >= 2);
    assertEquals(0, count(jobTable));
    DeadLetter buried = outbox.deadLetters().find(ids.get(17)).get();
    assertEquals(DeadLetterReason.REJECTED_BY_DESTINATION, buried.reason());
    assertContains(buried.error(), "blocked");
    assertEquals(40, server.triggeredRuns());
  }

  private InngestForwarder<TestJob> forwarder(Duration requestTimeout) {
    return InngestForwarder.builder(outbox.codec())
        .baseUrl(server.baseUrl())
        .eventKey(KEY)
        .namePrefix("app/")
        .requestTimeout(requestTimeout)
        .build();
  }

  private DrainerBuilder<TestJob> drainerTo(InngestForwarder<TestJob> forwarder) {
    return drainer().batchHandler(forwarder);
  }

  /** Drains, making retried jobs due at once, until the table is empty (or clearly stuck). */
  private void drainUntilEmpty(Drainer<TestJob> drainer) throws SQLException {
    for (int round = 0; round < 50 && count(jobTable) > 0; round++) {
      drainer.drainOnce();
      makeAllDue();
    }
  }

  private void enqueueRolledBack(Greet... jobs) throws SQLException {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      for (Greet job : jobs) {
        outbox.enqueue(tx, job);
      }
      tx.rollback();
    }
  }

  private static Greet[] greetings(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> new Greet(prefix + i)).toArray(Greet[]::new);
  }
}
