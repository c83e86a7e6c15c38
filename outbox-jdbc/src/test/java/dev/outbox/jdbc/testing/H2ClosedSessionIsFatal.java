package dev.outbox.jdbc.testing;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Tells HikariCP that H2's "session closed" errors mean the connection is dead. Hikari evicts a
 * connection on SQLState class 08 and a few vendor codes; H2 reports a session ended by {@code
 * ABORT_SESSION} as 90121 (or 90067 over TCP), which Hikari would otherwise hand out again. An
 * application on H2 that must survive killed sessions configures the same with {@code
 * exceptionOverrideClassName}.
 */
public final class H2ClosedSessionIsFatal implements SQLExceptionOverride {
  private static final int DATABASE_CALLED_AT_SHUTDOWN = 90121;
  private static final int CONNECTION_BROKEN = 90067;

  @java.lang.Override
  public Override adjudicate(SQLException e) {
    int code = e.getErrorCode();
    return code == DATABASE_CALLED_AT_SHUTDOWN || code == CONNECTION_BROKEN
        ? Override.MUST_EVICT
        : Override.CONTINUE_EVICT;
  }
}
