package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.QueueStats;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.jdbc.TestJob.Greet;
import dev.outbox.job.EnqueueOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code outbox.stats()} against counts made by hand. */
public abstract class StatsContract extends OutboxTestBase {

  @Test
  void emptyTablesHaveNothingDueAndNoOldestAge() {
    QueueStats stats = outbox.stats();

    assertEquals(0, stats.due());
    assertEquals(0, stats.scheduled());
    assertEquals(0, stats.leased());
    assertTrue(stats.oldestDueAge().isEmpty());
    assertEquals(0, stats.deadLettersTotal());
    assertFalse(stats.capped());
  }

  @Test
  void dueScheduledLeasedTheOldestAgeAndDeadLettersMatchTheRows() throws Exception {
    List<Long> due = enqueueCommitted(new Greet("a"), new Greet("b"), new Greet("c"));
    List<Long> leased = enqueueCommitted(new Greet("d"), new Greet("e"));
    List<Long> expired = enqueueCommitted(new Greet("f"));
    enqueueCommitted(
        EnqueueOptions.defaults().withDelay(Duration.ofHours(1)),
        new Greet("later 1"),
        new Greet("later 2"));
    long now = System.currentTimeMillis();
    execute(
        "UPDATE "
            + jobTable
            + " SET lease_until = "
            + (now + 600_000)
            + ", lease_token = 7"
            + " WHERE id IN ("
            + leased.get(0)
            + ", "
            + leased.get(1)
            + ")");
    execute(
        "UPDATE "
            + jobTable
            + " SET lease_until = 1, lease_token = 8 WHERE id = "
            + expired.get(0));
    execute("UPDATE " + jobTable + " SET run_at = " + (now - 90_000) + " WHERE id = " + due.get(1));
    insertDeadLetter(1, "RETRIES_EXHAUSTED");
    insertDeadLetter(2, "RETRIES_EXHAUSTED");
    insertDeadLetter(3, "UNPARSEABLE");
    insertDeadLetter(4, "REASON_OF_A_LATER_VERSION");

    QueueStats stats = outbox.stats();

    assertEquals(4, stats.due(), "three never claimed and one whose lease ran out");
    assertEquals(2, stats.scheduled());
    assertEquals(2, stats.leased());
    Duration age = stats.oldestDueAge().get();
    assertTrue(
        age.compareTo(Duration.ofSeconds(80)) > 0 && age.compareTo(Duration.ofMinutes(5)) < 0,
        age.toString());
    assertEquals(2L, stats.deadLetters().get(DeadLetterReason.RETRIES_EXHAUSTED));
    assertEquals(1L, stats.deadLetters().get(DeadLetterReason.UNPARSEABLE));
    assertEquals(0L, stats.deadLetters().get(DeadLetterReason.NON_RETRYABLE));
    assertEquals(
        1L,
        stats.deadLetters().get(DeadLetterReason.UNKNOWN),
        "an unknown reason counted, not fatal");
    assertEquals(4, stats.deadLettersTotal());
    assertFalse(stats.capped());
  }

  @Test
  void aCountThatReachesTheCapStopsThereAndSaysSo() throws Exception {
    enqueueCommitted(new Greet("a"), new Greet("b"), new Greet("c"), new Greet("d"));

    QueueStats stats = outbox.stats(3);

    assertEquals(3, stats.due());
    assertTrue(stats.capped());
  }

  private void insertDeadLetter(long id, String reason) throws Exception {
    execute(
        "INSERT INTO "
            + deadLetterTable
            + " (id, kind, payload, created_at, died_at, attempts, reason, error) VALUES ("
            + id
            + ", 'Greet', '{}', 0, 0, 1, '"
            + reason
            + "', 'x')");
  }
}
