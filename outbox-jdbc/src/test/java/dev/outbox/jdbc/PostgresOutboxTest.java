package dev.outbox.jdbc;

import dev.outbox.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.Nested;

/** The outbox contract on POSTGRESQL. */
class PostgresOutboxTest {
  @Nested
  class Enqueue extends EnqueueContract {
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
  class DeadLetters extends DeadLetterContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class Ordering extends OrderingContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class TransactionalHandlers extends TransactionalHandlerContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class Resources extends ResourceContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class TransactionalOutcomes extends TransactionalOutcomeContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class TransactionalExactlyOnce extends TransactionalExactlyOnceContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class ClaimWatermark extends ClaimWatermarkContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class EventIds extends EventIdContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class RefusedInput extends RefusedInputContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class Stats extends StatsContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class OpenTransactions extends OpenTransactionContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class HandlerFaults extends HandlerFaultContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }

  @Nested
  class Listeners extends ListenerContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.POSTGRESQL;
    }
  }
}
