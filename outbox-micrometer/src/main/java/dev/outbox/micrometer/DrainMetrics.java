package dev.outbox.micrometer;

import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.DrainEvent;
import dev.outbox.drain.DrainListener;
import dev.outbox.drain.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Counters and timers fed by drainer events. Register one instance with any number of drainers
 * ({@code outbox.drainer().listener(metrics)}); their meters are told apart by the {@code drainer}
 * tag. Tags are low-cardinality only: drainer, kind, outcome, reason, write. An unparseable row's
 * kind is whatever the row holds, so its dead letter is tagged {@code kind=unparseable}.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Name</th><th>Type</th><th>Tags</th></tr>
 *   <tr><td>outbox.jobs.claimed</td><td>counter</td><td>drainer</td></tr>
 *   <tr><td>outbox.jobs.handled</td><td>counter</td><td>drainer, kind, outcome</td></tr>
 *   <tr><td>outbox.jobs.retried</td><td>counter</td><td>drainer, kind</td></tr>
 *   <tr><td>outbox.jobs.snoozed</td><td>counter</td><td>drainer, kind</td></tr>
 *   <tr><td>outbox.jobs.dead.lettered</td><td>counter</td><td>drainer, kind, reason</td></tr>
 *   <tr><td>outbox.jobs.fenced</td><td>counter</td><td>drainer</td></tr>
 *   <tr><td>outbox.handler.duration</td><td>timer</td><td>drainer, kind, outcome</td></tr>
 *   <tr><td>outbox.jobs.lag</td><td>timer</td><td>drainer, kind</td></tr>
 *   <tr><td>outbox.drain.failures</td><td>counter</td><td>drainer, write (loop, claim, outcome)
 *   </td></tr>
 * </table>
 *
 * <p>{@code outcome} is {@code succeeded}, {@code failed}, {@code snoozed} or {@code dead_lettered}
 * (the handler's own answer, before the drainer's retry decision). Thread-safe; the cost per job is
 * a map lookup and the meter updates.
 */
public final class DrainMetrics implements DrainListener {
  /** The {@code kind} tag of an unparseable row's dead letter. */
  public static final String UNPARSEABLE_KIND = "unparseable";

  private final MeterRegistry registry;
  private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
  private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();

  private DrainMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Meters registered with {@code registry} as events arrive. */
  public static DrainMetrics of(MeterRegistry registry) {
    return new DrainMetrics(Objects.requireNonNull(registry, "registry"));
  }

  @Override
  public void on(DrainEvent event) {
    String drainer = event.drainer();
    if (event instanceof DrainEvent.Handled handled) {
      String kind = handled.job().kind();
      String outcome = outcomeTag(handled.outcome());
      counter("outbox.jobs.handled", drainer, "kind", kind, "outcome", outcome).increment();
      timer("outbox.handler.duration", drainer, "kind", kind, "outcome", outcome)
          .record(handled.duration());
      timer("outbox.jobs.lag", drainer, "kind", kind).record(handled.lag());
    } else if (event instanceof DrainEvent.Claimed claimed) {
      counter("outbox.jobs.claimed", drainer).increment(claimed.jobs());
    } else if (event instanceof DrainEvent.Retried retried) {
      counter("outbox.jobs.retried", drainer, "kind", retried.job().kind()).increment();
    } else if (event instanceof DrainEvent.Snoozed snoozed) {
      counter("outbox.jobs.snoozed", drainer, "kind", snoozed.job().kind()).increment();
    } else if (event instanceof DrainEvent.DeadLettered dead) {
      String kind =
          dead.reason() == DeadLetterReason.UNPARSEABLE ? UNPARSEABLE_KIND : dead.job().kind();
      String reason = dead.reason().name().toLowerCase(Locale.ROOT);
      counter("outbox.jobs.dead.lettered", drainer, "kind", kind, "reason", reason).increment();
    } else if (event instanceof DrainEvent.OutcomesFenced fenced) {
      counter("outbox.jobs.fenced", drainer).increment(fenced.outcomes());
    } else if (event instanceof DrainEvent.LoopFailed) {
      counter("outbox.drain.failures", drainer, "write", "loop").increment();
    } else if (event instanceof DrainEvent.StoreFailed failed) {
      String write = failed.write().name().toLowerCase(Locale.ROOT);
      counter("outbox.drain.failures", drainer, "write", write).increment();
    }
  }

  /** The {@code outcome} tag of a handler's answer. */
  static String outcomeTag(Outcome outcome) {
    if (outcome instanceof Outcome.Done) {
      return "succeeded";
    } else if (outcome instanceof Outcome.RetryLater) {
      return "snoozed";
    } else if (outcome instanceof Outcome.DeadLetterNow) {
      return "dead_lettered";
    }
    return "failed";
  }

  private Counter counter(String name, String drainer, String... tags) {
    return meter(counters, name, drainer, tags, key -> registry.counter(name, tagsOf(key)));
  }

  private Timer timer(String name, String drainer, String... tags) {
    return meter(timers, name, drainer, tags, key -> registry.timer(name, tagsOf(key)));
  }

  private static <M> M meter(
      Map<List<String>, M> cache,
      String name,
      String drainer,
      String[] tags,
      Function<List<String>, M> create) {
    String[] key = new String[tags.length + 2];
    key[0] = name;
    key[1] = drainer;
    System.arraycopy(tags, 0, key, 2, tags.length);
    return cache.computeIfAbsent(List.of(key), create);
  }

  /** The tags of a cache key: drainer, then the name-value pairs after it. */
  private static String[] tagsOf(List<String> key) {
    String[] tags = new String[key.size()];
    tags[0] = "drainer";
    tags[1] = key.get(1);
    for (int i = 2; i < key.size(); i++) {
      tags[i] = key.get(i);
    }
    return tags;
  }
}
