package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.Set;

/**
 * The connection a transactional handler sees: the library's transaction, with the calls that would
 * end or escape it refused. A refused call is remembered, so the library rolls back even if the
 * handler swallowed the exception. Internal.
 */
public final class GuardedConnection implements InvocationHandler {
  private static final Set<String> REFUSED = Set.of("commit", "setAutoCommit", "close", "abort");

  private final Connection target;
  private volatile String misuse;

  private GuardedConnection(Connection target) {
    this.target = target;
  }

  /** Wraps a connection that is in the library's transaction. */
  public static GuardedConnection around(Connection target) {
    return new GuardedConnection(target);
  }

  /** The proxy to hand to the handler. */
  public Connection connection() {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, this);
  }

  /** What the handler tried that it must not, or null. */
  public String misuse() {
    return misuse;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    boolean fullRollback = name.equals("rollback") && (args == null || args.length == 0);
    if (REFUSED.contains(name) || fullRollback) {
      misuse = name + "()";
      throw new OutboxException(
          "a transactional handler must not call "
              + name
              + "(): the library owns this transaction"
              + " and commits the handler's writes together with the job's completion. Return an"
              + " Outcome (or throw) instead; the transaction has been marked for rollback.");
    }
    if (name.equals("unwrap") && args != null && args[0] == Connection.class) {
      return proxy;
    }
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
