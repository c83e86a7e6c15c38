package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.job.EnqueueResult;
import java.sql.Connection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Table names of the longest length the builder accepts get every index the schema derives from
 * them, whole, on every database: idempotent enqueue (which needs the unique index) and the drain
 * work.
 */
class LongTableNamesTest {

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void theLongestAcceptedTableNamesGetEveryIndexWhole(TestDatabase database) throws Exception {
    String prefix = TestDatabase.uniquePrefix() + "_";
    String job = prefix + "j".repeat(51 - prefix.length());
    String dead = prefix + "d".repeat(56 - prefix.length());
    try (HikariDataSource pool = database.open(2)) {
      try {
        JdbcOutbox<TestJob> outbox =
            JdbcOutbox.builder(pool, TestJob.class).jobTable(job).deadLetterTable(dead).build();
        outbox.createSchemaIfMissing();
        var once = EnqueueOptions.defaults().withIdempotencyKey("once");
        try (Connection tx = pool.getConnection()) {
          tx.setAutoCommit(false);
          assertInstanceOf(
              EnqueueResult.Stored.class, outbox.enqueue(tx, new TestJob.Greet("a"), once));
          tx.commit();
          assertInstanceOf(
              EnqueueResult.Deduplicated.class, outbox.enqueue(tx, new TestJob.Greet("b"), once));
          tx.commit();
        }
        var drained = outbox.drainer().handler(j -> Outcome.done()).build().drainOnce();
        assertEquals(1, drained.succeeded());
      } finally {
        TestDatabase.drop(pool, job, dead);
      }
    }
  }
}
