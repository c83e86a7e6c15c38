package dev.outbox.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outbox.internal.ClaimedRow;
import dev.outbox.jdbc.OutboxTestBase;
import dev.outbox.jdbc.TestJob;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Two claims that raced and each leased a job of one ordering key: the check after the claim gives
 * back the job whose key another live lease holds, and only that one.
 */
class KeyCollisionsTest {
  abstract static class Contract extends OutboxTestBase {
    @Test
    void aClaimedJobWhoseKeyAnotherLiveLeaseHoldsIsGivenBackUncounted() throws Exception {
      List<Long> ids = racedClaims(60_000);
      List<ClaimedRow> kept = KeyCollisions.released(sql(), transactions(), List.of(row(ids)));
      assertEquals(List.of(), kept, "the second claim's job of the key");
      assertEquals(
          0, queryLong("SELECT COUNT(*) FROM " + jobTable + " WHERE lease_token = 222"), "leased");
      assertEquals(0, attempts(ids.get(1)), "its attempt is not counted");
      assertEquals(
          1, queryLong("SELECT COUNT(*) FROM " + jobTable + " WHERE lease_token = 111"), "other");
    }

    @Test
    void aClaimedJobWhoseKeyHoldsOnlyAnExpiredLeaseIsKept() throws Exception {
      List<Long> ids = racedClaims(-60_000);
      ClaimedRow claimed = row(ids);
      assertEquals(
          List.of(claimed), KeyCollisions.released(sql(), transactions(), List.of(claimed)));
      assertEquals(1, attempts(ids.get(1)));
    }

    /** Two jobs of one key, leased by claims 111 (lease ending in {@code otherMillis}) and 222. */
    private List<Long> racedClaims(long otherMillis) throws Exception {
      var key = EnqueueOptions.defaults().withOrderingKey("k");
      List<Long> ids = enqueueCommitted(key, new TestJob.Step("k", 1), new TestJob.Step("k", 2));
      String now = sql().now();
      execute(
          "UPDATE "
              + jobTable
              + " SET attempts = 1, lease_token = 111, lease_until = "
              + now
              + " + "
              + otherMillis
              + " WHERE id = "
              + ids.get(0));
      execute(
          "UPDATE "
              + jobTable
              + " SET attempts = 1, lease_token = 222, lease_until = "
              + now
              + " + 60000 WHERE id = "
              + ids.get(1));
      return ids;
    }

    private static ClaimedRow row(List<Long> ids) {
      return new ClaimedRow(ids.get(1), "e", "ordered-step", "{}", "k", null, 0, 0, 1, 222);
    }

    private SqlDialect sql() {
      return SqlDialect.of(outbox.dialect(), jobTable, deadLetterTable);
    }

    private Transactions transactions() {
      return new Transactions(dataSource);
    }
  }

  @Nested
  class OnH2 extends Contract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.H2;
    }
  }

  @Nested
  class OnPostgres extends Contract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class OnMariaDb extends Contract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }
}
