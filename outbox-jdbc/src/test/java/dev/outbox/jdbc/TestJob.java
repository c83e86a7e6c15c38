package dev.outbox.jdbc;

import dev.outbox.job.JobKind;

/** The job hierarchy of the contract tests. */
public sealed interface TestJob {
  /** Succeeds unless the test's handler says otherwise. */
  record Greet(String name) implements TestJob {}

  /** Its handler throws. */
  record Boom(String why) implements TestJob {}

  /** Its transactional handler writes an effect row. */
  record Effect(long n) implements TestJob {}

  /** Holds anything; a value Jackson cannot write makes enqueue fail. */
  record Opaque(Object value) implements TestJob {}

  /** A step of an ordered sequence. */
  @JobKind("ordered-step")
  record Step(String key, int seq) implements TestJob {}
}
