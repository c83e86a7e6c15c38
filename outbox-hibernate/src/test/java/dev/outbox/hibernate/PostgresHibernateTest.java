package dev.outbox.hibernate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The Hibernate outbox contract on POSTGRESQL. */
class PostgresHibernateTest {
  @Nested
  class Enqueue extends EnqueueContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class ChangeEvents extends ChangeEventContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class Drain extends DrainContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class TransactionalSession extends TransactionalSessionContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class Notify extends HibernateTestBase {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }

    @Test
    void aJobEnqueuedThroughASessionWakesAListeningDrainerThatNoCommitHookWakes() throws Exception {
      CountDownLatch handled = new CountDownLatch(1);
      Drainer<ShopJob> drainer =
          closedAfterTest(
              outbox
                  .drainer()
                  .pollInterval(Duration.ofMinutes(1))
                  .handler(
                      job -> {
                        handled.countDown();
                        return Outcome.done();
                      })
                  .build()); // no wakeOnCommit: only the enqueue's NOTIFY can wake it in time
      drainer.start();
      awaitListening();
      sessionFactory.inTransaction(
          session -> outbox.enqueue(session, new ShopJob.SendWelcome("n")));
      assertTrue(handled.await(10, TimeUnit.SECONDS), "the NOTIFY woke the drainer");
    }

    /** Until the drainer's listener listens and its catch-up claim is over. */
    private void awaitListening() throws Exception {
      String sql = "SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'idle' AND query = ?";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      try (Connection connection = dataSource.getConnection();
          PreparedStatement listeners = connection.prepareStatement(sql)) {
        listeners.setString(1, "LISTEN \"" + jdbc.jobTable() + "\"");
        while (true) {
          try (ResultSet count = listeners.executeQuery()) {
            count.next();
            if (count.getLong(1) > 0) {
              break;
            }
          }
          assertTrue(System.nanoTime() < deadline, "the drainer's listener never listened");
          Thread.sleep(20);
        }
      }
      Thread.sleep(300);
    }
  }
}
