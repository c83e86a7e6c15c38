package dev.outbox.hibernate;

import dev.outbox.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.Nested;

/** The Hibernate outbox contract on MARIADB. */
class MariaDbHibernateTest {
  @Nested
  class Enqueue extends EnqueueContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }

  @Nested
  class ChangeEvents extends ChangeEventContract {
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
  class TransactionalSession extends TransactionalSessionContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.MARIADB;
    }
  }
}
