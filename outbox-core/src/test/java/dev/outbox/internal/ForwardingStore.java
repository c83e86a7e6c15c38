package dev.outbox.internal;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * A store that hands every call to another: tests extend it to count or break one call of the real
 * JDBC store and leave the rest alone.
 */
public abstract class ForwardingStore implements OutboxStore {
  protected final OutboxStore store;

  protected ForwardingStore(OutboxStore store) {
    this.store = store;
  }

  @Override
  public List<ClaimedRow> claim(int limit, Duration lease) {
    return store.claim(limit, lease);
  }

  @Override
  public int complete(long leaseToken, List<Long> ids) {
    return store.complete(leaseToken, ids);
  }

  @Override
  public int retry(long leaseToken, List<Retry> retries) {
    return store.retry(leaseToken, retries);
  }

  @Override
  public int deadLetter(long leaseToken, List<Burial> burials) {
    return store.deadLetter(leaseToken, burials);
  }

  @Override
  public int renew(long leaseToken, List<Long> ids, Duration lease) {
    return store.renew(leaseToken, ids, lease);
  }

  @Override
  public int release(long leaseToken, List<Long> ids) {
    return store.release(leaseToken, ids);
  }

  @Override
  public TxResult runInTransaction(ClaimedRow row, TxWork work) {
    return store.runInTransaction(row, work);
  }

  @Override
  public List<String> startupWarnings() {
    return store.startupWarnings();
  }

  @Override
  public AutoCloseable subscribe(String name, Runnable onNewJobs) {
    return store.subscribe(name, onNewJobs);
  }

  @Override
  public OptionalInt connectionLimit() {
    return store.connectionLimit();
  }

  @Override
  public boolean pushesNewJobs() {
    return store.pushesNewJobs();
  }
}
