package dev.outbox.drain;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listeners of one drainer; shields the drainer from their exceptions. Thread-safe. */
final class Listeners {
  private static final Logger log = LoggerFactory.getLogger(Drainer.class);

  private final List<DrainListener> listeners;
  private final Set<DrainListener> warned = ConcurrentHashMap.newKeySet();

  Listeners(List<DrainListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  /** Whether any listener is registered: call sites build no event otherwise. */
  boolean active() {
    return !listeners.isEmpty();
  }

  void publish(DrainEvent event) {
    for (DrainListener listener : listeners) {
      try {
        listener.on(event);
      } catch (RuntimeException | LinkageError e) {
        if (warned.add(listener)) {
          log.warn(
              "{}: listener {} threw on {}; ignored, later failures are logged at DEBUG",
              event.drainer(),
              listener,
              event.getClass().getSimpleName(),
              e);
        } else {
          log.debug("listener {} threw on {}", listener, event, e);
        }
      }
    }
  }
}
