package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.Drainer;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.drain.Outcome;
import dev.outbox.internal.ClaimedRow;
import dev.outbox.internal.ForwardingStore;
import dev.outbox.internal.OutboxStore;
import dev.outbox.jdbc.internal.JdbcStore;
import dev.outbox.jdbc.internal.SqlDialect;
import dev.outbox.jdbc.internal.Transactions;
import dev.outbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * How often a started drainer claims after a claim that found less than a batch, where the database
 * cannot push new-job signals: at its poll interval. The few-millisecond follow-up looks are for
 * PostgreSQL, whose throttled notifications cover several transactions each (see {@code
 * PostgresOnlyTest}); elsewhere nothing arrives between polls that they could find sooner.
 */
class ClaimPacingTest {

  abstract static class Contract extends OutboxTestBase {
    @Test
    void aDrainerWhoseDatabaseCannotPushWaitsItsPollIntervalAfterAShortClaim() throws Exception {
      CountingStore store =
          new CountingStore(
              new JdbcStore(
                  SqlDialect.of(Dialect.valueOf(database().name()), jobTable, deadLetterTable),
                  new Transactions(dataSource)));
      enqueueCommitted(new TestJob.Greet("ada"));
      CountDownLatch handled = new CountDownLatch(1);
      try (Drainer<TestJob> drainer =
          DrainerBuilder.create(outbox.codec(), store)
              .pollInterval(Duration.ofMinutes(1))
              .handler(
                  job -> {
                    handled.countDown();
                    return Outcome.done();
                  })
              .build()) {
        drainer.start();
        assertTrue(handled.await(30, TimeUnit.SECONDS), "the job was not handled");
        Thread.sleep(500); // follow-up looks would have claimed 6 or 7 times by now
        assertEquals(
            1,
            store.claims.get(),
            "claims within the poll interval: each follow-up look would add one");
      }
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
  class OnMariaDb extends Contract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  /** The real store, counting its claims. */
  private static final class CountingStore extends ForwardingStore {
    final AtomicInteger claims = new AtomicInteger();

    CountingStore(OutboxStore store) {
      super(store);
    }

    @Override
    public List<ClaimedRow> claim(int limit, Duration lease) {
      claims.incrementAndGet();
      return store.claim(limit, lease);
    }
  }
}
