package dev.outbox.spring;

import dev.outbox.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.TestPropertySource;

/** The Spring contract on MariaDB; skipped (or failed in CI) when it is unreachable. */
@TestPropertySource(properties = "test.database=MARIADB")
class MariaDbSpringOutboxTest extends SpringOutboxContract {

  @BeforeAll
  static void reachable() {
    TestDatabase.MARIADB.open(1).close();
  }
}
