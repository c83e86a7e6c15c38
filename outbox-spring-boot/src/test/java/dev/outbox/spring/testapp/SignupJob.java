package dev.outbox.spring.testapp;

/** The test application's jobs. */
public sealed interface SignupJob {
  /** Handled by the root's job handler. */
  record Welcome(String email) implements SignupJob {}

  /** Handled by a transactional handler that writes through Spring; fails when asked. */
  record Audit(String email, boolean fail) implements SignupJob {}
}
