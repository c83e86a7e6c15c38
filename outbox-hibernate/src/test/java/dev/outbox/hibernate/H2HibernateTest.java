package dev.outbox.hibernate;

import dev.outbox.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.Nested;

/** The Hibernate outbox contract on H2. */
class H2HibernateTest {
  @Nested
  class Enqueue extends EnqueueContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.H2;
    }
  }

  @Nested
  class ChangeEvents extends ChangeEventContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.H2;
    }
  }

  @Nested
  class Drain extends DrainContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.H2;
    }
  }

  @Nested
  class TransactionalSession extends TransactionalSessionContract {
    @Override
    protected TestDatabase database() {
      return TestDatabase.H2;
    }
  }
}
