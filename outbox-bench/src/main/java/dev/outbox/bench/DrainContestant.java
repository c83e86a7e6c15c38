package dev.outbox.bench;

/**
 * Something that drains a prefilled backlog: this library, the hand-written reference, or a peer.
 * Each keeps its own tables and must handle every job through {@link Tally#handled}.
 */
interface DrainContestant {
  /** Its name in the table. */
  String name();

  /** Empties its tables and enqueues jobs numbered 0 to {@code jobs - 1}. Untimed. */
  void prefill(int jobs, DrainSetup setup) throws Exception;

  /** Starts draining; closing the result stops it and waits for in-flight work. */
  AutoCloseable start(DrainSetup setup, Tally tally) throws Exception;

  /** Rows still in its job table. */
  long leftOver();
}
