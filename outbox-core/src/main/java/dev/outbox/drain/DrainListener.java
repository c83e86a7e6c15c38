package dev.outbox.drain;

/**
 * Told what a {@link Drainer} does: the one source for metrics, logs and health checks. Register
 * any number with {@link DrainerBuilder#listener(DrainListener)}; with none, the drainer builds no
 * events at all.
 *
 * <p>Called synchronously on the drainer's threads (the loop, a handler thread, or the thread
 * writing a batch's outcomes), possibly from several at once: implementations must be thread-safe
 * and quick. An exception thrown by a listener is caught and logged (the first one at WARN, later
 * ones at DEBUG); it never changes what the drainer does.
 */
@FunctionalInterface
public interface DrainListener {
  /** Called once per event; see {@link DrainEvent} for when each fires. */
  void on(DrainEvent event);
}
