package dev.outbox.drain;

import dev.outbox.internal.OutboxStore;
import dev.outbox.job.JobCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A drainer's settings, checked and copied once by {@link DrainerBuilder#build()}: immutable, so
 * handler threads read them without locks, and a builder changed after {@code build()} changes
 * nothing in the drainers it built. Per-kind settings are keyed by the leaf's declared kind; a
 * prefix leaf's rows carry longer kinds, which the lookups map back.
 */
record DrainSettings<J>(
    JobCodec<J> codec,
    OutboxStore store,
    String name,
    int batchSize,
    int concurrency,
    Duration pollInterval,
    Duration lease,
    int maxAttempts,
    Duration shutdownTimeout,
    Backoff backoff,
    Map<String, Backoff> backoffByKind,
    Duration handlerTimeout,
    Map<String, Duration> handlerTimeoutByKind,
    Set<Class<? extends Throwable>> nonRetryable,
    JobHandler<J> jobHandler,
    BatchHandler<J> batchHandler,
    TransactionalHandler<J> transactionalDefault,
    Map<String, TransactionalHandler<J>> transactionalByKind,
    List<DrainListener> listeners,
    boolean listen,
    boolean leaveUnknownKindsPending,
    Duration unknownKindRecheck) {

  DrainSettings {
    backoffByKind = Map.copyOf(backoffByKind);
    handlerTimeoutByKind = Map.copyOf(handlerTimeoutByKind);
    nonRetryable = Set.copyOf(nonRetryable);
    transactionalByKind = Map.copyOf(transactionalByKind);
    listeners = List.copyOf(listeners);
  }

  Duration handlerTimeoutFor(String kind) {
    return handlerTimeoutByKind.getOrDefault(declared(kind), handlerTimeout);
  }

  /** The transactional handler for a row's kind, or null when its jobs go to the default. */
  TransactionalHandler<J> transactionalHandlerFor(String kind) {
    TransactionalHandler<J> handler = transactionalByKind.get(declared(kind));
    return handler != null ? handler : transactionalDefault;
  }

  boolean anyTransactional() {
    return transactionalDefault != null || !transactionalByKind.isEmpty();
  }

  Backoff backoffFor(String kind) {
    return backoffByKind.getOrDefault(declared(kind), backoff);
  }

  /** Whether the error is, or is caused by, one of the {@link #nonRetryable()} types. */
  boolean isNonRetryable(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Class<? extends Throwable> type : nonRetryable) {
        if (type.isInstance(t)) {
          return true;
        }
      }
    }
    return false;
  }

  private String declared(String kind) {
    return codec.declaredKind(kind).getOrElse(kind);
  }
}
