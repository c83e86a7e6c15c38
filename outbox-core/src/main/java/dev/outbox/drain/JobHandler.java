package dev.outbox.drain;

import dev.outbox.job.Job;
import java.util.Objects;

/**
 * The default handler shape: one job at a time, outside any transaction, many concurrently within a
 * claimed batch (up to the drainer's concurrency). Fits in-process work and remote calls.
 *
 * <p>Throwing is the same as returning {@link Outcome#failed(Throwable)}. Must be thread-safe.
 *
 * @param <J> the sealed job root
 */
@FunctionalInterface
public interface JobHandler<J> {

  /** Handles one job and says what became of it. */
  Outcome handle(Job<J> job) throws Exception;

  /**
   * A handler that receives just the payload and is {@link Outcome#done()} unless it throws:
   *
   * <pre>{@code
   * JobHandler.consuming(job -> {
   *   switch (job) {
   *     case SendWelcomeEmail email -> mailer.send(email.userId());
   *     case ChargeCard charge -> payments.charge(charge.orderId());
   *   }
   * })
   * }</pre>
   */
  static <J> JobHandler<J> consuming(PayloadConsumer<J> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    return job -> {
      consumer.accept(job.payload());
      return Outcome.done();
    };
  }

  /** Receives a job's payload; see {@link #consuming(PayloadConsumer)}. */
  @FunctionalInterface
  interface PayloadConsumer<J> {
    /** Handles the payload; throw to fail the job. */
    void accept(J payload) throws Exception;
  }
}
