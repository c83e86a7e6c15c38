package dev.outbox;

import dev.outbox.deadletter.DeadLetterReason;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The state of an outbox's tables at one moment, by the database clock: what a health check, a
 * metrics gauge or an operator at 3 a.m. looks at first.
 *
 * <p>Counts of the job table stop at {@link #cap()}: counting a million-row backlog exactly would
 * read every row on each call, so each count reads at most {@code cap} index entries, and a count
 * that reached it means "at least this many". Leased jobs are counted among the first {@code cap}
 * due jobs in claim order, where drainers take them.
 *
 * @param due jobs that may run now and are not leased
 * @param scheduled jobs whose run-at is still ahead (retries in their backoff, delayed jobs)
 * @param leased jobs a drainer holds now (running, or claimed and not yet finished)
 * @param oldestDueAge how long the oldest due, unleased job has been due; none when nothing is due
 * @param deadLetters dead letters by reason (every reason present, 0 where none); rows whose stored
 *     reason this version does not know count as {@link DeadLetterReason#UNKNOWN}
 * @param cap the most any job-table count reads
 * @param at when the statistics were read, by the database clock
 */
public record QueueStats(
    long due,
    long scheduled,
    long leased,
    Option<Duration> oldestDueAge,
    Map<DeadLetterReason, Long> deadLetters,
    long cap,
    Instant at) {

  public QueueStats {
    Objects.requireNonNull(oldestDueAge, "oldestDueAge");
    Objects.requireNonNull(at, "at");
    EnumMap<DeadLetterReason, Long> all = new EnumMap<>(DeadLetterReason.class);
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      all.put(reason, deadLetters.getOrDefault(reason, 0L));
    }
    deadLetters = Collections.unmodifiableMap(all);
  }

  /** Whether a job-table count reached {@link #cap()}, so that it is a lower bound. */
  public boolean capped() {
    return due >= cap || scheduled >= cap || leased >= cap;
  }

  /** Every dead letter, whatever its reason. */
  public long deadLettersTotal() {
    return deadLetters.values().stream().mapToLong(Long::longValue).sum();
  }
}
