package dev.outbox.bench;

/** The sealed job root every benchmark enqueues: small payloads, as most outbox jobs are. */
public sealed interface BenchJob {

  /** Does nothing but tell the tally that it ran. */
  record Noop(int seq) implements BenchJob {}

  /** Updates one row of the benchmark's account table. */
  record Touch(int seq) implements BenchJob {}

  /** A typical domain event, for the codec micro-benchmarks. */
  record OrderPlaced(long orderId, String customer, java.util.List<String> items, long cents)
      implements BenchJob {}
}
