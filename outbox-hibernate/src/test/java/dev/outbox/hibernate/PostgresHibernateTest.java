package dev.outbox.hibernate;

import dev.outbox.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.Nested;

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
}
