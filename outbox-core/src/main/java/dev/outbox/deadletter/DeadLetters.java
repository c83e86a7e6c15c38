package dev.outbox.deadletter;

import io.vavr.control.Option;
import java.util.Collection;
import java.util.List;

/**
 * The operator's view of the dead-letter table: inspect, requeue, delete. Each method runs in its
 * own short transaction on a connection from the outbox's data source. Thread-safe.
 */
public interface DeadLetters {

  /** One page of dead letters in ascending id order. */
  List<DeadLetter> list(DeadLetterQuery query);

  /** How many dead letters match the query's kind and reason (its paging is ignored). */
  long count(DeadLetterQuery query);

  /** The dead letter of this job id, if there is one. */
  Option<DeadLetter> find(long id);

  /**
   * Puts one dead letter back as a pending job under its original id, attempts reset, due now. One
   * transaction: the job row is inserted and the dead letter deleted together.
   *
   * @return false if there was no such dead letter
   */
  boolean requeue(long id);

  /**
   * Puts many dead letters back in one transaction; ids that are not dead letters are ignored.
   *
   * @return how many were requeued
   */
  int requeue(Collection<Long> ids);

  /** Requeues every dead letter matching the query's kind and reason, in one transaction. */
  int requeueAll(DeadLetterQuery query);

  /** Deletes one dead letter for good; false if there was none. */
  boolean delete(long id);
}
