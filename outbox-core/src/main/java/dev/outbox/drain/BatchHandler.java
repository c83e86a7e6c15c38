package dev.outbox.drain;

import dev.outbox.job.Job;
import java.util.List;
import java.util.Map;

/**
 * The batch handler shape: the whole claimed batch at once, outside any transaction, returning an
 * outcome per job id. Fits the event-API forwarder (one request for many jobs) and bulk writes.
 *
 * <p>A job missing from the returned map is {@link Outcome.Failed}; throwing fails every job of the
 * batch. Must be thread-safe if the same instance serves several drainers.
 *
 * @param <J> the sealed job root
 */
@FunctionalInterface
public interface BatchHandler<J> {

  /**
   * Handles the batch.
   *
   * @param jobs the parsed jobs of one claim, in id order (never empty)
   * @return the outcome of each job, keyed by {@link Job#id()}
   */
  Map<Long, Outcome> handle(List<Job<J>> jobs) throws Exception;

  /**
   * Handles the batch and counts what it did into {@code counts}, which the drainer adds to its
   * report. The default ignores {@code counts} and calls {@link #handle(List)}.
   */
  default Map<Long, Outcome> handle(List<Job<J>> jobs, BatchCounts counts) throws Exception {
    return handle(jobs);
  }
}
