package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.OutboxException;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.JobHandler;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.job.EnqueueResult;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Guarantee 1 (atomic enqueue), 8 (idempotency) and the refusals of bad input. */
public abstract class EnqueueContract extends OutboxTestBase {

  @Test
  void committedJobIsHandled() throws Exception {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    enqueueCommitted(new TestJob.Greet("ada"));
    var drainer =
        drainer()
            .handler(JobHandler.consuming(job -> handled.add(((TestJob.Greet) job).name())))
            .build();
    DrainReport report = drainer.drainOnce();
    assertEquals(1, report.succeeded());
    assertEquals(Set.of("ada"), handled);
    assertEquals(0, count(jobTable));
  }

  @Test
  void rolledBackEnqueueIsNeverHandled() throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      outbox.enqueue(tx, new TestJob.Greet("ghost"));
      tx.rollback();
    }
    Set<Object> handled = ConcurrentHashMap.newKeySet();
    DrainReport report = drainer().handler(JobHandler.consuming(handled::add)).build().drainOnce();
    assertEquals(0, report.claimed());
    assertTrue(handled.isEmpty());
    assertEquals(0, count(jobTable));
  }

  @Test
  void enqueueOnAnAutoCommitConnectionIsRefusedAndWritesNothing() throws Exception {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      var error =
          assertThrows(
              OutboxException.EnqueueRefused.class,
              () -> outbox.enqueue(connection, new TestJob.Greet("x")));
      assertContains(error.getMessage(), "auto-commit", "setAutoCommit(false)");
      assertTrue(connection.getAutoCommit());
    }
    assertEquals(0, count(jobTable));
  }

  @Test
  void enqueueNeverCommitsClosesOrChangesTheCallersConnection() throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      outbox.enqueue(tx, new TestJob.Greet("pending"));
      outbox.enqueueAll(tx, List.of(new TestJob.Greet("a"), new TestJob.Greet("b")));
      assertFalse(tx.isClosed());
      assertFalse(tx.getAutoCommit());
      assertEquals(0, count(jobTable), "another connection must not see uncommitted jobs");
      tx.commit();
    }
    assertEquals(3, count(jobTable));
  }

  @Test
  void aPayloadThatCannotBeSerializedFailsBeforeAnySqlAndTheTransactionGoesOn() throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      var error =
          assertThrows(
              OutboxException.EnqueueRefused.class,
              () -> outbox.enqueue(tx, new TestJob.Opaque(new Object())));
      assertContains(
          error.getMessage(), "Opaque", "could not be serialized", "Nothing was written");
      outbox.enqueue(tx, new TestJob.Greet("after"));
      tx.commit();
    }
    assertEquals(1, count(jobTable));
  }

  @Test
  void aPayloadOverTheSizeLimitIsRefusedBeforeAnySql() throws Exception {
    var small =
        JdbcOutbox.builder(dataSource, TestJob.class)
            .jobTable(jobTable)
            .deadLetterTable(deadLetterTable)
            .maxPayloadBytes(64)
            .build();
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      var error =
          assertThrows(
              OutboxException.EnqueueRefused.class,
              () -> small.enqueue(tx, new TestJob.Greet("x".repeat(100))));
      assertContains(error.getMessage(), "over the limit of 64");
      small.enqueue(tx, new TestJob.Greet("ok"));
      tx.commit();
    }
    assertEquals(1, count(jobTable));
  }

  @Test
  void aSecondEnqueueWithTheSameIdempotencyKeyStoresNothingAndSaysSo() throws Exception {
    var options = EnqueueOptions.defaults().withIdempotencyKey("order-42");
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      assertInstanceOf(
          EnqueueResult.Stored.class, outbox.enqueue(tx, new TestJob.Greet("first"), options));
      EnqueueResult second = outbox.enqueue(tx, new TestJob.Greet("second"), options);
      assertEquals(new EnqueueResult.Deduplicated("order-42"), second);
      outbox.enqueue(tx, new TestJob.Greet("unrelated"));
      tx.commit();
    }
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      assertFalse(outbox.enqueue(tx, new TestJob.Greet("third"), options).stored());
      tx.commit();
    }
    assertEquals(2, count(jobTable));
  }

  @Test
  void aDelayedJobIsNotClaimedBeforeItIsDueByTheDatabaseClock() throws Exception {
    enqueueCommitted(
        EnqueueOptions.defaults().withDelay(Duration.ofMinutes(30)), new TestJob.Greet("later"));
    enqueueCommitted(new TestJob.Greet("now"));
    DrainReport report =
        drainer().handler(job -> dev.outbox.drain.Outcome.done()).build().drainOnce();
    assertEquals(1, report.claimed(), "only the job due now, whatever the session time zone");
    long wait = queryLong("SELECT run_at - " + outboxNow() + " FROM " + jobTable);
    assertTrue(
        wait > Duration.ofMinutes(29).toMillis() && wait < Duration.ofMinutes(31).toMillis(),
        "wait " + wait);
  }

  @Test
  void enqueueAllWritesEveryJobInOneBatch() throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      int stored =
          outbox.enqueueAll(
              tx,
              java.util.stream.IntStream.range(0, 500)
                  .mapToObj(i -> (TestJob) new TestJob.Greet("n" + i))
                  .toList());
      assertEquals(500, stored);
      tx.commit();
    }
    assertEquals(500, count(jobTable));
  }

  private String outboxNow() {
    return dev.outbox.jdbc.internal.SqlDialect.of(outbox.dialect(), jobTable, deadLetterTable)
        .now();
  }
}
