package dev.outbox.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * Wraps a data source so that every statement the server is sent is counted: each {@code execute…}
 * call (a JDBC batch counts once per {@code executeBatch}) and each {@code commit} or {@code
 * rollback}. Hidden driver queries (pgjdbc's {@code getTransactionIsolation} runs {@code SHOW
 * TRANSACTION ISOLATION LEVEL}) are not seen. Every contestant goes through the same wrapper, so
 * its few nanoseconds per call weigh the same on all. Thread-safe.
 */
final class StatementCounter {
  private final LongAdder statements = new LongAdder();
  private final ThreadLocal<long[]> onThread = ThreadLocal.withInitial(() -> new long[1]);

  /** Statements counted so far. */
  long count() {
    return statements.sum();
  }

  /** Statements counted so far that the calling thread sent. */
  long countOnThisThread() {
    return onThread.get()[0];
  }

  /** The counting view of {@code target}. */
  DataSource wrap(DataSource target) {
    return proxy(DataSource.class, target);
  }

  private <T> T proxy(Class<T> type, Object target) {
    return type.cast(
        Proxy.newProxyInstance(
            StatementCounter.class.getClassLoader(), new Class<?>[] {type}, new Counting(target)));
  }

  /** Delegates every call; counts executions and wraps what needs counting in turn. */
  private final class Counting implements InvocationHandler {
    private final Object target;

    Counting(Object target) {
      this.target = target;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (method.getDeclaringClass() == Object.class) {
        return switch (name) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          default -> "counted " + target;
        };
      }
      if (name.startsWith("execute") || name.equals("commit") || name.equals("rollback")) {
        statements.increment();
        onThread.get()[0]++;
      }
      Object result;
      try {
        result = method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      return wrapResult(method.getReturnType(), result);
    }

    private Object wrapResult(Class<?> type, Object result) {
      if (result == null) {
        return null;
      }
      if (type == Connection.class) {
        return proxy(Connection.class, result);
      }
      if (type == CallableStatement.class) {
        return proxy(CallableStatement.class, result);
      }
      if (type == PreparedStatement.class) {
        return proxy(PreparedStatement.class, result);
      }
      if (type == Statement.class) {
        return proxy(Statement.class, result);
      }
      return result;
    }
  }
}
