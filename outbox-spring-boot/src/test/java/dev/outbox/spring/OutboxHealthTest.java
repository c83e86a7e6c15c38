package dev.outbox.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.JobHandler;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.spring.testapp.SignupJob;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

/** The {@code outbox} health on Boot 4: the drainer's state and whether the tables answer. */
class OutboxHealthTest {
  private final JdbcDataSource h2 = new JdbcDataSource();

  OutboxHealthTest() {
    h2.setURL(TestDatabase.H2.url());
  }

  private ApplicationContextRunner app() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                OutboxAutoConfiguration.class, OutboxHealthAutoConfiguration.class))
        .withBean(DataSource.class, () -> h2)
        .withBean(JobHandler.class, () -> (JobHandler<SignupJob>) job -> Outcome.done())
        .withPropertyValues("outbox.job-root=dev.outbox.spring.testapp.SignupJob");
  }

  @Test
  void healthIsUpWhileTheDrainerRunsAndDownOnceItStops() {
    app()
        .run(
            context -> {
              OutboxHealthIndicator health = context.getBean(OutboxHealthIndicator.class);
              Health running = health.health();
              assertEquals(Status.UP, running.getStatus(), running.toString());
              assertEquals("running", running.getDetails().get("drainer"));
              assertEquals(0L, running.getDetails().get("deadLetters"));
              context.getBean(OutboxDrainerLifecycle.class).stop();
              assertEquals(Status.DOWN, health.health().getStatus());
            });
  }

  @Test
  void healthIsDownWhenTheTablesDoNotAnswer() {
    app()
        .withPropertyValues("outbox.drainer.enabled=false")
        .run(
            context -> {
              OutboxHealthIndicator health = context.getBean(OutboxHealthIndicator.class);
              assertEquals(Status.UP, health.health().getStatus());
              new JdbcTemplate(h2).execute("DROP TABLE outbox_dead_letter");
              Health down = health.health();
              assertEquals(Status.DOWN, down.getStatus());
              assertTrue(down.getDetails().containsKey("error"), down.toString());
            });
  }

  @Test
  void theIndicatorCanBeTurnedOff() {
    app()
        .withPropertyValues("management.health.outbox.enabled=false")
        .run(context -> assertTrue(context.getBeansOfType(OutboxHealthIndicator.class).isEmpty()));
  }
}
