package dev.outbox.samples.quickstart;

/**
 * The jobs of the quick start, ported from the original "Doctor Job" example: a sealed root with
 * records as leaves. Handlers {@code switch} over it; rows can only ever become these two.
 */
public sealed interface ParsedJob {
  /** Email a client the link that logs them in. */
  record SendClientLoginLink(long clientId) implements ParsedJob {}

  /** Not implemented yet: its handler throws, so it ends in the dead letters after its retries. */
  record ReticulateSplines(String target) implements ParsedJob {}
}
