package dev.outbox.drain;

import dev.outbox.deadletter.DeadLetterReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What became of a job, for every handler shape. A closed set: {@link Done}, {@link Failed}, {@link
 * RetryLater}, {@link DeadLetterNow}. A handler that throws has {@link Failed}.
 */
public sealed interface Outcome {

  /** The job is complete: its row is deleted. */
  static Outcome done() {
    return Done.INSTANCE;
  }

  /**
   * The job failed: it is retried after the backoff, or dead-lettered when its attempts run out or
   * the cause is one the drainer was told not to retry.
   */
  static Outcome failed(Throwable cause) {
    return new Failed(cause);
  }

  /**
   * Not yet: run the job again no sooner than {@code delay} from now (by the database clock),
   * without counting this run as an attempt.
   */
  static Outcome retryAfter(Duration delay) {
    return new RetryLater(delay);
  }

  /**
   * Not yet: run the job again no sooner than {@code at}, without counting this run as an attempt.
   * The instant is turned into a delay from this process's clock when the outcome is made.
   */
  static Outcome retryAt(Instant at) {
    Duration delay = Duration.between(Instant.now(), Objects.requireNonNull(at, "at"));
    return new RetryLater(delay.isNegative() ? Duration.ZERO : delay);
  }

  /** Give up now: move the job to the dead letters with reason NON_RETRYABLE and this text. */
  static Outcome deadLetter(String why) {
    return new DeadLetterNow(DeadLetterReason.NON_RETRYABLE, why);
  }

  /**
   * Give up now with a chosen reason.
   *
   * @throws IllegalArgumentException for {@link DeadLetterReason#UNKNOWN}, which is only read
   */
  static Outcome deadLetter(DeadLetterReason reason, String why) {
    return new DeadLetterNow(reason, why);
  }

  /** See {@link Outcome#done()}. */
  final class Done implements Outcome {
    static final Done INSTANCE = new Done();

    private Done() {}

    @Override
    public String toString() {
      return "Done";
    }
  }

  /** See {@link Outcome#failed(Throwable)}. */
  record Failed(Throwable cause) implements Outcome {
    public Failed {
      Objects.requireNonNull(cause, "cause");
    }
  }

  /** See {@link Outcome#retryAfter(Duration)}. */
  record RetryLater(Duration delay) implements Outcome {
    public RetryLater {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay must not be negative, was " + delay);
      }
    }
  }

  /** See {@link Outcome#deadLetter(DeadLetterReason, String)}. */
  record DeadLetterNow(DeadLetterReason reason, String why) implements Outcome {
    public DeadLetterNow {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(why, "why");
      if (reason == DeadLetterReason.UNKNOWN) {
        throw new IllegalArgumentException("UNKNOWN is a reason read from the table, never given");
      }
    }
  }
}
