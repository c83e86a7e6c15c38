package dev.outbox.spring;

import dev.outbox.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.TestPropertySource;

/** The Spring contract on PostgreSQL; skipped (or failed in CI) when it is unreachable. */
@TestPropertySource(properties = "test.database=POSTGRESQL")
class PostgresSpringOutboxTest extends SpringOutboxContract {

  @BeforeAll
  static void reachable() {
    TestDatabase.POSTGRESQL.open(1).close();
  }
}
