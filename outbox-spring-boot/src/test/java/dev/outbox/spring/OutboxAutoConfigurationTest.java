package dev.outbox.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.JobHandler;
import dev.outbox.drain.Outcome;
import dev.outbox.drain.TransactionalHandler;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.spring.testapp.SignupJob;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** What the auto-configuration makes of properties and beans, on embedded H2. */
class OutboxAutoConfigurationTest {
  private final JdbcDataSource h2 = new JdbcDataSource();

  OutboxAutoConfigurationTest() {
    h2.setURL(TestDatabase.H2.url());
  }

  private ApplicationContextRunner app(Class<?>... configuration) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(OutboxAutoConfiguration.class))
        .withBean(DataSource.class, () -> h2)
        .withUserConfiguration(configuration)
        .withPropertyValues(
            "outbox.job-root=dev.outbox.spring.testapp.SignupJob",
            "outbox.drainer.poll-interval=50ms");
  }

  @Configuration(proxyBeanMethods = false)
  static class RootHandler {
    @Bean
    JobHandler<SignupJob> welcomes() {
      return job -> Outcome.done();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class AnotherRootHandler {
    @Bean
    TransactionalHandler<SignupJob> everything() {
      return (job, tx) -> Outcome.done();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class LeafHandler {
    @Bean
    TransactionalHandler<SignupJob.Audit> audits() {
      return (job, tx) -> Outcome.done();
    }
  }

  @Test
  void withTheJobRootAndAHandlerBeanTheOutboxAndARunningDrainerExist() {
    app(RootHandler.class)
        .run(
            context -> {
              assertNotNull(context.getBean(SpringOutbox.class));
              assertTrue(context.getBean(OutboxDrainerLifecycle.class).isRunning());
            });
  }

  @Test
  void withoutAJobRootTheStartFailsNamingTheProperty() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(OutboxAutoConfiguration.class))
        .withBean(DataSource.class, () -> h2)
        .run(context -> assertStartFailure(context.getStartupFailure(), "outbox.job-root"));
  }

  @Test
  void aBadDrainerPropertyFailsTheStartWithItsNameAndValue() {
    app(RootHandler.class)
        .withPropertyValues("outbox.drainer.batch-size=0")
        .run(
            context ->
                assertStartFailure(
                    context.getStartupFailure(),
                    "outbox.drainer.batch-size must be between 1 and 10000, was 0"));
  }

  @Test
  void withoutAHandlerBeanTheStartFailsNamingTheKindsAndTheWayOut() {
    app()
        .run(
            context ->
                assertStartFailure(
                    context.getStartupFailure(),
                    "no handler for the kinds",
                    "outbox.drainer.enabled=false"));
  }

  @Test
  void twoHandlerBeansForTheRootAreRefused() {
    app(RootHandler.class, AnotherRootHandler.class)
        .run(
            context ->
                assertStartFailure(context.getStartupFailure(), "found 2 handler beans for"));
  }

  @Test
  void aTransactionalHandlerBeanForOneLeafIsNotTakenForTheRootsHandler() {
    app(RootHandler.class, LeafHandler.class)
        .run(context -> assertTrue(context.getBean(OutboxDrainerLifecycle.class).isRunning()));
  }

  @Test
  void withTheDrainerDisabledThereIsNoDrainerAndNoHandlerIsNeeded() {
    app()
        .withPropertyValues("outbox.drainer.enabled=false")
        .run(
            context -> {
              assertNotNull(context.getBean(SpringOutbox.class));
              assertTrue(context.getBeansOfType(OutboxDrainerLifecycle.class).isEmpty());
            });
  }

  @Test
  void whileTheDrainerRunsANonDaemonThreadKeepsAWorkerApplicationAlive() {
    app(RootHandler.class)
        .run(
            context -> {
              assertTrue(keepAliveThreads() > 0, "a non-daemon thread while running");
              context.getBean(OutboxDrainerLifecycle.class).stop();
              awaitNoKeepAlive();
            });
  }

  /** Blocks every handler until released; counts the ones that started. */
  static class SlowHandler {
    static final CountDownLatch STARTED = new CountDownLatch(1);

    @Bean
    JobHandler<SignupJob> slow() {
      return job -> {
        STARTED.countDown();
        Thread.sleep(TimeUnit.MINUTES.toMillis(10));
        return Outcome.done();
      };
    }
  }

  /** Hands every handled welcome to the test. */
  static class RecordingHandler {
    static final BlockingQueue<String> HANDLED = new LinkedBlockingQueue<>();

    @Bean
    JobHandler<SignupJob> recording() {
      return JobHandler.consuming(job -> HANDLED.add(((SignupJob.Welcome) job).email()));
    }
  }

  @Test
  void aCommitThatEnqueuedWakesTheLocalDrainerWithoutWaitingForItsPoll() {
    app(RecordingHandler.class)
        .withPropertyValues("outbox.drainer.poll-interval=10m", "outbox.drainer.listen=false")
        .run(
            context -> {
              SpringOutbox<SignupJob> outbox = springOutbox(context.getBean(SpringOutbox.class));
              var transactions = new TransactionTemplate(new DataSourceTransactionManager(h2));
              // The first is found by the claim at start or by a wake-up; once it is handled the
              // drainer pauses for its 10-minute poll, and only the wake-up finds the second.
              for (String email : List.of("first@example.com", "second@example.com")) {
                transactions.executeWithoutResult(
                    tx -> outbox.enqueue(new SignupJob.Welcome(email)));
                assertEquals(email, RecordingHandler.HANDLED.poll(60, TimeUnit.SECONDS));
              }
            });
  }

  @Test
  void atShutdownASlowHandlersJobIsReleasedNotLeftLeased() throws Exception {
    app(SlowHandler.class)
        .withPropertyValues("outbox.drainer.shutdown-timeout=200ms")
        .run(
            context -> {
              SpringOutbox<SignupJob> outbox = springOutbox(context.getBean(SpringOutbox.class));
              new TransactionTemplate(new DataSourceTransactionManager(h2))
                  .executeWithoutResult(tx -> outbox.enqueue(new SignupJob.Welcome("slow")));
              assertTrue(SlowHandler.STARTED.await(60, TimeUnit.SECONDS), "the handler started");
            });
    JdbcTemplate jdbc = new JdbcTemplate(h2);
    assertEquals(1, jdbc.queryForObject("SELECT COUNT(*) FROM outbox_job", Integer.class));
    assertEquals(
        0,
        jdbc.queryForObject(
            "SELECT COUNT(*) FROM outbox_job WHERE lease_token IS NOT NULL", Integer.class));
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void aPoolSmallerThanWhatTheDrainerMayHoldIsWarnedAboutAtStartup(CapturedOutput output) {
    try (HikariDataSource small = TestDatabase.H2.open(10)) {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(OutboxAutoConfiguration.class))
          .withBean(DataSource.class, () -> small)
          .withUserConfiguration(RootHandler.class)
          .withPropertyValues("outbox.job-root=dev.outbox.spring.testapp.SignupJob")
          .run(context -> assertTrue(context.getBean(OutboxDrainerLifecycle.class).isRunning()));
    }
    assertTrue(
        output.toString().contains("the connection pool's maximum size is 10, smaller than the 11"),
        output.toString());
  }

  @Test
  void thePropertiesShipWithConfigurationMetadataForIdeCompletion() throws Exception {
    try (var metadata =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertNotNull(metadata, "META-INF/spring-configuration-metadata.json");
      String json = new String(metadata.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      for (String property :
          new String[] {
            "outbox.job-root",
            "outbox.job-table",
            "outbox.schema.initialize",
            "outbox.drainer.enabled",
            "outbox.drainer.batch-size"
          }) {
        assertTrue(json.contains("\"" + property + "\""), property);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static SpringOutbox<SignupJob> springOutbox(SpringOutbox<?> bean) {
    return (SpringOutbox<SignupJob>) bean;
  }

  private static long keepAliveThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !t.isDaemon() && t.getName().equals("outbox-drainer-keep-alive"))
        .count();
  }

  private static void awaitNoKeepAlive() throws InterruptedException {
    for (int i = 0; i < 3000 && keepAliveThreads() > 0; i++) {
      Thread.sleep(10);
    }
    assertEquals(0, keepAliveThreads(), "the keep-alive thread ends when the drainer stops");
  }

  private static void assertStartFailure(Throwable failure, String... parts) {
    assertNotNull(failure, "the context should not have started");
    StringBuilder messages = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append('\n');
    }
    for (String part : parts) {
      assertTrue(messages.toString().contains(part), messages.toString());
    }
    assertFalse(messages.isEmpty());
  }
}
