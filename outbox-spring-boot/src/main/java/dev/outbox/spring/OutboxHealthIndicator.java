package dev.outbox.spring;

import dev.outbox.deadletter.DeadLetterQuery;
import dev.outbox.jdbc.JdbcOutbox;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code outbox} health of Spring Boot 4's Actuator: UP while the outbox's tables answer and,
 * on a draining node, the drainer runs; DOWN when a query on the tables fails (database
 * unreachable, tables missing) or the drainer is not running. Details: the job table, the drainer's
 * state, the number of dead letters.
 */
public final class OutboxHealthIndicator extends AbstractHealthIndicator {
  private final JdbcOutbox<?> outbox;
  private final OutboxDrainerLifecycle drainer;

  OutboxHealthIndicator(JdbcOutbox<?> outbox, OutboxDrainerLifecycle drainer) {
    super("outbox health check failed");
    this.outbox = outbox;
    this.drainer = drainer;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.withDetail("jobTable", outbox.jobTable());
    builder.withDetail("deadLetters", outbox.deadLetters().count(DeadLetterQuery.all()));
    if (drainer == null) {
      builder.withDetail("drainer", "disabled").up();
    } else if (drainer.isRunning()) {
      builder.withDetail("drainer", "running").up();
    } else {
      builder.withDetail("drainer", "stopped").down();
    }
  }
}
