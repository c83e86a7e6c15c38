package dev.outbox.drain;

import dev.outbox.deadletter.DeadLetterReason;
import java.time.Duration;

/**
 * What a {@link DrainListener} is told. A closed set: on Java 21, {@code switch} over it
 * exhaustively. Every event names its drainer ({@link DrainerBuilder#name(String)}).
 *
 * <p>Per job, {@link Handled} fires when its handler returns (or times out); {@link Retried},
 * {@link Snoozed} and {@link DeadLettered} fire once the batch's statement that writes that outcome
 * has run. If some outcomes of that statement were not applied because the lease had passed to
 * another drainer, an {@link OutcomesFenced} event for the batch says how many: so the events of a
 * batch, less its fenced count, add up to its {@link DrainReport}.
 */
public sealed interface DrainEvent {
  /** The drainer's name. */
  String drainer();

  /** A job as the drainer claimed it; {@code attempt} is 1 on its first run. */
  record JobRef(long id, String kind, int attempt) {}

  /** {@link Drainer#start()} started the background loop. */
  record Started(String drainer) implements DrainEvent {}

  /**
   * {@link Drainer#close()} returned.
   *
   * @param totals what the drainer did over its life (released jobs included)
   * @param clean whether every in-flight handler finished and was written in time
   */
  record Stopped(String drainer, DrainReport totals, boolean clean) implements DrainEvent {}

  /**
   * An iteration of the started loop failed; it pauses and tries again.
   *
   * @param failuresInARow 1 for the first failure since the last iteration that worked
   */
  record LoopFailed(String drainer, Throwable error, int failuresInARow) implements DrainEvent {}

  /** A claim found {@code jobs} due jobs (at least one). */
  record Claimed(String drainer, int jobs) implements DrainEvent {}

  /**
   * A handler returned (or ran past its timeout, then {@code outcome} is a failure).
   *
   * @param duration how long the handler ran; for a batch handler, the whole batch's time
   * @param lag from the job's due time to the handler's start, zero if the clocks disagree
   */
  record Handled(String drainer, JobRef job, Outcome outcome, Duration duration, Duration lag)
      implements DrainEvent {}

  /** A failed job was written back for another attempt, due after {@code delay}. */
  record Retried(String drainer, JobRef job, Throwable error, Duration delay)
      implements DrainEvent {}

  /** A job was written back to run after {@code delay} without counting its attempt. */
  record Snoozed(String drainer, JobRef job, Duration delay) implements DrainEvent {}

  /** A job was moved to the dead letters; {@code error} is the stored text, never null. */
  record DeadLettered(String drainer, JobRef job, DeadLetterReason reason, String error)
      implements DrainEvent {}

  /** {@code outcomes} outcomes of a batch were not applied: their lease had been lost. */
  record OutcomesFenced(String drainer, int outcomes) implements DrainEvent {}

  /** Which store write a {@link StoreFailed} is about. */
  enum Write {
    /** Claiming a batch. */
    CLAIM,
    /** Writing a batch's outcomes; its jobs run again once their lease ends. */
    OUTCOME
  }

  /** A claim or an outcome write threw; what the drainer does next is as without listeners. */
  record StoreFailed(String drainer, Write write, Throwable error) implements DrainEvent {}
}
