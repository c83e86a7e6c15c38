package dev.outbox.jdbc;

import dev.outbox.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.Nested;

/** The outbox contract on MARIADB. */
class MariaDbOutboxTest {
  @Nested
  class Enqueue extends EnqueueContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class Drain extends DrainContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class DeadLetters extends DeadLetterContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class Ordering extends OrderingContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class TransactionalHandlers extends TransactionalHandlerContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class Resources extends ResourceContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class TransactionalOutcomes extends TransactionalOutcomeContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class TransactionalExactlyOnce extends TransactionalExactlyOnceContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class ClaimWatermark extends ClaimWatermarkContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class EventIds extends EventIdContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class RefusedInput extends RefusedInputContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class Stats extends StatsContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class OpenTransactions extends OpenTransactionContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class HandlerFaults extends HandlerFaultContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class Listeners extends ListenerContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }
}
