package dev.outbox.faults;

/**
 * The jobs of the fault suite. Every job carries a number unique within its scenario, so that the
 * suite counts by what a producer committed, independently of the table's ids.
 */
public sealed interface FaultJob {
  /** The number a producer gave the job. */
  long n();

  /** Ordinary work: succeeds unless the scenario injects a fault. */
  record Work(long n) implements FaultJob {}

  /** Always fails in the scenarios' handlers. */
  record Poison(long n) implements FaultJob {}

  /** A step of an ordered sequence of one key. */
  record Step(long n, String key, int seq) implements FaultJob {}
}
