package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.OutboxException;
import dev.outbox.jdbc.TestJob.Greet;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What enqueue refuses is refused before any SQL, so the caller's transaction goes on and commits
 * its own writes; what still fails in the database says what became of that transaction.
 */
public abstract class RefusedInputContract extends OutboxTestBase {

  @Test
  void aNulInAKeyIsRefusedBeforeAnySqlAndTheCallersOwnWriteStillCommits() throws Exception {
    IllegalArgumentException ordering =
        assertThrows(
            IllegalArgumentException.class,
            () -> EnqueueOptions.defaults().withOrderingKey("user\0" + 1));
    IllegalArgumentException idempotency =
        assertThrows(
            IllegalArgumentException.class,
            () -> EnqueueOptions.defaults().withIdempotencyKey("a\0b"));

    assertContains(ordering.getMessage(), "orderingKey", "NUL character at index 4");
    assertContains(idempotency.getMessage(), "idempotencyKey", "NUL character at index 1");
  }

  @Test
  void halfASurrogatePairInAKeyIsRefusedInsteadOfStoredAsAQuestionMark() {
    String lone = "key-" + '\uD83D';

    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> EnqueueOptions.defaults().withIdempotencyKey(lone));
    assertContains(refused.getMessage(), "surrogate", "\\uD83D", "index 4");
    EnqueueOptions.defaults().withIdempotencyKey("key-🙂"); // a whole pair is fine
  }

  @Test
  void halfASurrogatePairInAPayloadIsRefusedAndTheCallersOwnWriteStillCommits() throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      insertEffect(tx, 1);
      OutboxException.EnqueueRefused refused =
          assertThrows(
              OutboxException.EnqueueRefused.class,
              () -> outbox.enqueue(tx, new Greet("cut " + '\uDE42')));
      tx.commit();

      assertContains(refused.getMessage(), "surrogate", "Nothing was written");
      assertFalse(refused.transactionAborted());
    }
    assertEquals(1, count(effectTable), "the caller's write committed");
    assertEquals(0, count(jobTable));
  }

  @Test
  void runAtsAndDelaysOutsideTheColumnsRangeAreRefusedWithTheirBound() {
    IllegalArgumentException max =
        assertThrows(
            IllegalArgumentException.class, () -> EnqueueOptions.defaults().withRunAt(Instant.MAX));
    IllegalArgumentException huge =
        assertThrows(
            IllegalArgumentException.class,
            () -> EnqueueOptions.defaults().withDelay(Duration.ofSeconds(Long.MAX_VALUE)));

    assertContains(max.getMessage(), "runAt must be between", "9999-12-31");
    assertContains(huge.getMessage(), "delay must be between", "MAX_DELAY");
  }

  @Test
  void anInsertThatFailsInTheDatabaseSaysWhatBecameOfTheCallersTransaction() throws Exception {
    execute("DROP TABLE " + jobTable);
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      insertEffect(tx, 1);
      OutboxException.EnqueueRefused refused =
          assertThrows(
              OutboxException.EnqueueRefused.class, () -> outbox.enqueue(tx, new Greet("x")));
      boolean postgres = database() == TestDatabase.POSTGRESQL;

      assertContains(refused.getMessage(), "does not exist", "createSchemaIfMissing()");
      assertEquals(postgres, refused.transactionAborted());
      assertContains(
          refused.getMessage(),
          postgres ? "aborted your transaction: roll it back" : "your transaction is still open");
      tx.rollback();
    }
  }

  @Test
  void anInsertRefusedForAnotherReasonDoesNotBlameAMissingTable() throws Exception {
    // A constraint of the user's own that the second job breaks: the table is there.
    execute("CREATE UNIQUE INDEX " + jobTable + "_one_per_kind ON " + jobTable + " (kind)");
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      outbox.enqueue(tx, new Greet("first"));
      OutboxException.EnqueueRefused refused =
          assertThrows(
              OutboxException.EnqueueRefused.class, () -> outbox.enqueue(tx, new Greet("second")));
      tx.rollback();

      assertFalse(refused.getMessage().contains("createSchemaIfMissing"), refused.getMessage());
      assertTrue(refused.getMessage().contains("SQLState 23"), refused.getMessage());
    }
  }

  private void insertEffect(Connection tx, long id) throws SQLException {
    try (Statement statement = tx.createStatement()) {
      statement.executeUpdate("INSERT INTO " + effectTable + " VALUES (" + id + ", 'mine')");
    }
  }
}
