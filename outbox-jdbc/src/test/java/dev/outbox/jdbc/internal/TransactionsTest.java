package dev.outbox.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.outbox.OutboxException;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TransactionsTest {

  @Test
  void aFailureWithoutSqlStateIsNoConflictAndIsThrownAsItIsAtOnce() {
    // HikariCP's "Connection is not available, request timed out" carries no SQLState.
    SQLException noState = new SQLException("Connection is not available, request timed out");
    OutboxException.StoreFailure failure = Transactions.failure("claiming jobs", noState);
    AtomicInteger tries = new AtomicInteger();
    OutboxException.StoreFailure thrown =
        assertThrows(
            OutboxException.StoreFailure.class,
            () ->
                Transactions.retryingConflicts(
                    () -> {
                      tries.incrementAndGet();
                      throw failure;
                    }));
    assertSame(failure, thrown);
    assertSame(1, tries.get());
    assertFalse(Transactions.isConflict(noState));
  }
}
