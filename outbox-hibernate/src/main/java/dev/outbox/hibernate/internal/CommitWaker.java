package dev.outbox.hibernate.internal;

import dev.outbox.drain.Drainer;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.engine.spi.TransactionCompletionCallbacks.AfterCompletionCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes registered drainers when a transaction that wrote jobs commits. One after-completion
 * callback per session and transaction, however many jobs it wrote; a rollback wakes nothing.
 * Thread-safe. Internal.
 */
public final class CommitWaker {
  private static final Logger log = LoggerFactory.getLogger(CommitWaker.class);

  private final Set<Drainer<?>> drainers = new CopyOnWriteArraySet<>();
  private final AtomicLong commitsSignalled = new AtomicLong();

  // Sessions whose current transaction already has the callback. Weak: a session dropped without
  // completing its transaction must not be kept alive by this set.
  private final Set<SharedSessionContractImplementor> armed =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  public void add(Drainer<?> drainer) {
    drainers.add(Objects.requireNonNull(drainer, "drainer"));
  }

  public void remove(Drainer<?> drainer) {
    drainers.remove(Objects.requireNonNull(drainer, "drainer"));
  }

  /** Makes the commit of the session's current transaction wake the drainers. */
  public void armFor(SharedSessionContractImplementor session) {
    if (!armed.add(session)) {
      return;
    }
    AfterCompletionCallback callback =
        (committed, completed) -> {
          armed.remove(session);
          if (committed) {
            wakeAll();
          }
        };
    session.getTransactionCompletionCallbacks().registerCallback(callback);
  }

  /** How many commits have woken the drainers so far. */
  public long commitsSignalled() {
    return commitsSignalled.get();
  }

  private void wakeAll() {
    commitsSignalled.incrementAndGet();
    for (Drainer<?> drainer : drainers) {
      try {
        drainer.wake();
      } catch (RuntimeException e) {
        log.debug("waking a drainer after commit failed", e);
      }
    }
  }
}
