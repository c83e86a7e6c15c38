package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.OutboxException;
import dev.outbox.drain.JobHandler;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad settings are refused when the outbox or drainer is built, with the setting and value named.
 */
class ConfigurationTest {
  private final JdbcDataSource h2 = new JdbcDataSource();

  ConfigurationTest() {
    h2.setURL("jdbc:h2:mem:config;DB_CLOSE_DELAY=-1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jobs; DROP TABLE users",
        "jobs--",
        "\"jobs\"",
        "jobs WHERE 1=1",
        "a.b.c",
        "1jobs",
        "",
        "jobs ",
        "j`obs",
        "jobs/*x*/",
        "sch.ema.t",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      })
  void tableNamesOutsideAStrictIdentifierPatternAreRefused(String name) {
    var error =
        assertThrows(
            OutboxException.Misconfigured.class,
            () -> JdbcOutbox.builder(h2, TestJob.class).jobTable(name).build());
    assertTrue(
        error.getMessage().startsWith("jobTable must be a plain SQL identifier"),
        error.getMessage());
    assertThrows(
        OutboxException.Misconfigured.class,
        () -> JdbcOutbox.builder(h2, TestJob.class).deadLetterTable(name).build());
  }

  @ParameterizedTest
  @ValueSource(strings = {"order", "ORDER", "user", "select", "app.order", "table.jobs", "key"})
  void tableNamesThatAreReservedWordsAreRefused(String name) {
    assertMessage(
        "jobTable must not be an SQL reserved word",
        () -> JdbcOutbox.builder(h2, TestJob.class).jobTable(name).build());
    assertMessage(
        "deadLetterTable must not be an SQL reserved word",
        () -> JdbcOutbox.builder(h2, TestJob.class).deadLetterTable(name).build());
  }

  @Test
  void tableNamesWhoseDerivedIndexNamesWouldBeCutAreRefused() {
    String job51 = "j".repeat(51);
    String dead56 = "d".repeat(56);
    assertMessage(
        "jobTable must be at most 51 characters without its schema",
        () -> JdbcOutbox.builder(h2, TestJob.class).jobTable(job51 + "j").build());
    assertMessage(
        "deadLetterTable must be at most 56 characters without its schema",
        () -> JdbcOutbox.builder(h2, TestJob.class).deadLetterTable(dead56 + "d").build());
    var longest =
        JdbcOutbox.builder(h2, TestJob.class)
            .jobTable("s".repeat(63) + "." + job51)
            .deadLetterTable(dead56)
            .build();
    assertEquals("s".repeat(63) + "." + job51, longest.jobTable());
  }

  @Test
  void schemaQualifiedNamesAreAccepted() {
    var outbox =
        JdbcOutbox.builder(h2, TestJob.class)
            .jobTable("app.jobs")
            .deadLetterTable("app.dead")
            .build();
    assertEquals("app.jobs", outbox.jobTable());
    assertTrue(
        outbox.schemaStatements().stream()
            .anyMatch(s -> s.contains("CREATE INDEX IF NOT EXISTS jobs_run_at ON app.jobs")),
        String.join("\n", outbox.schemaStatements()));
  }

  @Test
  void theDialectIsDetectedFromTheConnection() {
    assertEquals(Dialect.H2, JdbcOutbox.builder(h2, TestJob.class).build().dialect());
  }

  @Test
  void drainerSettingsAreCheckedWithTheSettingAndValueNamed() {
    var outbox = JdbcOutbox.builder(h2, TestJob.class).build();
    JobHandler<TestJob> noop = job -> dev.outbox.drain.Outcome.done();
    assertMessage(
        "batchSize must be between 1 and 10000, was 0",
        () -> outbox.drainer().handler(noop).batchSize(0).build());
    assertMessage(
        "concurrency must be between 1 and 1000, was 0",
        () -> outbox.drainer().handler(noop).concurrency(0).build());
    assertMessage(
        "maxAttempts must be between 1 and 1000, was -1",
        () -> outbox.drainer().handler(noop).maxAttempts(-1).build());
    assertMessage("no handler for the kinds", () -> outbox.drainer().build());
    assertMessage(
        "set one default handler",
        () -> outbox.drainer().handler(noop).batchHandler(jobs -> java.util.Map.of()).build());
  }

  @Test
  void aPayloadLimitBelowOneIsRefused() {
    assertMessage(
        "maxPayloadBytes must be positive, was 0",
        () -> JdbcOutbox.builder(h2, TestJob.class).maxPayloadBytes(0).build());
  }

  private static void assertMessage(
      String expected, org.junit.jupiter.api.function.Executable build) {
    var error = assertThrows(OutboxException.Misconfigured.class, build);
    assertTrue(error.getMessage().contains(expected), error.getMessage());
  }
}
