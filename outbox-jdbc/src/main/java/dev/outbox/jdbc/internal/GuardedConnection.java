package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import io.vavr.control.Option;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.Objects;
import java.util.Set;

/**
 * The connection a transactional handler sees: the library's transaction, with the calls that would
 * end or escape it refused. A refused call is remembered, so the library rolls back even if the
 * handler swallowed the exception. {@code setAutoCommit(false)} is let through: auto-commit is
 * already off, so it changes nothing (a Hibernate session begins its transaction with it).
 *
 * <p>An adapter that keeps its own view of the transaction (a Hibernate session opened on this
 * connection) may register a {@link Completion}: the library then ends the transaction through it,
 * where it would commit or roll back itself, and lets {@code commit()} and {@code rollback()}
 * through while it does, so the adapter's own before- and after-completion work runs around the
 * real commit or rollback. Internal.
 */
public final class GuardedConnection implements InvocationHandler {
  private static final Set<String> REFUSED = Set.of("commit", "setAutoCommit", "close", "abort");

  /** Ends the library's transaction in its place. Internal. */
  public interface Completion {
    /** Commits by calling {@code commit()} on the guarded connection, after any work of its own. */
    void commit() throws Exception;

    /** Rolls back by calling {@code rollback()} on it, or does nothing if it has already ended. */
    void rollback() throws Exception;
  }

  private final Connection target;
  private volatile String misuse;
  private volatile Completion completion;
  private volatile boolean completing;

  private GuardedConnection(Connection target) {
    this.target = target;
  }

  /** Wraps a connection that is in the library's transaction. */
  public static GuardedConnection around(Connection target) {
    return new GuardedConnection(target);
  }

  /** The guard behind a connection handed to a transactional handler, if it is one. */
  public static Option<GuardedConnection> of(Connection connection) {
    Objects.requireNonNull(connection, "connection");
    return Proxy.isProxyClass(connection.getClass())
            && Proxy.getInvocationHandler(connection) instanceof GuardedConnection guard
        ? Option.some(guard)
        : Option.none();
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

  /**
   * Makes {@code completion} end this transaction: the library calls its {@code commit()} once the
   * job's outcome is written, or its {@code rollback()} on any failure after this call.
   *
   * @throws IllegalStateException if a completion is already registered
   */
  public void completeWith(Completion completion) {
    Objects.requireNonNull(completion, "completion");
    if (this.completion != null) {
      throw new IllegalStateException("this transaction already has a completion");
    }
    this.completion = completion;
  }

  /** Commits through the registered completion, if any; its failure propagates. */
  void commitThroughCompletion() throws Exception {
    Completion registered = completion;
    if (registered != null) {
      completing = true;
      try {
        registered.commit();
      } finally {
        completing = false;
      }
    }
  }

  /** Rolls back through the registered completion, if any; a failure is added to {@code cause}. */
  void rollbackThroughCompletion(Throwable cause) {
    Completion registered = completion;
    if (registered != null) {
      completing = true;
      try {
        registered.rollback();
      } catch (Exception | LinkageError | AssertionError e) {
        cause.addSuppressed(e);
      } finally {
        completing = false;
      }
    }
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    boolean fullRollback = name.equals("rollback") && (args == null || args.length == 0);
    boolean ends = name.equals("commit") || fullRollback;
    if (name.equals("setAutoCommit") && Boolean.FALSE.equals(args[0])) {
      return null;
    }
    if ((REFUSED.contains(name) || fullRollback) && !(ends && completing)) {
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
