package dev.outbox.faults;

/**
 * Where a crashing drainer process dies, by {@link Runtime#halt}: no shutdown, no cleanup; or, for
 * {@link #SESSIONS_LOST_BEFORE_COMPLETION}, where the database ends its sessions.
 */
enum CrashPoint {
  /** About to claim: nothing of the cycle has happened. */
  BEFORE_CLAIM,
  /** The claim committed (jobs leased) but no handler ran. */
  AFTER_CLAIM,
  /** A handler did its work (written down) and the process died before it returned. */
  MID_HANDLER,
  /** Every handler of the batch did its work; the completion was never sent. */
  BEFORE_COMPLETION,
  /**
   * Does not crash, but just before some completions the database terminates every session of the
   * process's pool, so that the completion is sent on a dead connection and fails.
   */
  SESSIONS_LOST_BEFORE_COMPLETION,
  /** Does not crash: a survivor, stopped gracefully at the end. */
  NONE;

  /** Whether the process halts at this point. */
  boolean halts() {
    return this != SESSIONS_LOST_BEFORE_COMPLETION && this != NONE;
  }

  /** The exit status of a process that crashed as planned. */
  static final int EXIT_STATUS = 86;
}
