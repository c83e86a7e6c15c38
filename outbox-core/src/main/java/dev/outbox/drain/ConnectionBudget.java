package dev.outbox.drain;

import dev.outbox.OutboxException;
import dev.outbox.internal.OutboxStore;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The connections a started drainer may hold at once, against what its pool hands out. */
final class ConnectionBudget {
  private static final Logger log = LoggerFactory.getLogger(Drainer.class);

  private ConnectionBudget() {}

  /**
   * Fails if the pool can never give a started drainer a connection to claim with (the listener
   * holds one for good); warns if it holds fewer than the drainer may use at once.
   */
  static void check(DrainSettings<?> settings, OutboxStore store) {
    OptionalInt limit = store.connectionLimit();
    if (limit.isEmpty()) {
      return;
    }
    int listener = settings.listen() && store.pushesNewJobs() ? 1 : 0;
    boolean anyTransactional = settings.anyTransactional();
    int handlers = anyTransactional ? Math.min(settings.concurrency(), settings.batchSize()) : 0;
    int needed = listener + 2 + handlers; // claim and the previous batch's outcome writes overlap
    int max = limit.getAsInt();
    if (max <= listener) {
      throw new OutboxException.Misconfigured(
          "drainer '"
              + settings.name()
              + "': its pool hands out at most "
              + max
              + " connection(s) and listening for new jobs holds one for good, so none is left to"
              + " claim with; raise the pool's maximum size or set listen(false)");
    }
    if (max < needed) {
      log.warn(
          "{}: may use {} connections at once ({} listening, 2 for claims and outcome writes, {}"
              + " for transactional handlers) but its pool hands out at most {}, shared with the"
              + " application: handlers will wait for connections, and those that get none in the"
              + " pool's timeout run later without using an attempt. Raise the pool's maximum size"
              + " or lower concurrency",
          settings.name(),
          needed,
          listener,
          handlers,
          max);
    }
  }
}
