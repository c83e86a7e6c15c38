package dev.outbox.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.OutboxException;
import dev.outbox.deadletter.DeadLetterQuery;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.spring.testapp.AuditHandler;
import dev.outbox.spring.testapp.DomainTables;
import dev.outbox.spring.testapp.SignupApp;
import dev.outbox.spring.testapp.SignupJob;
import dev.outbox.spring.testapp.SignupService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What a Spring Boot application relies on, written once and run on every database by a subclass
 * that sets {@code test.database}: enqueue joins the caller's {@code @Transactional} method,
 * refuses outside one, and a transactional handler's Spring writes commit or roll back with the
 * job.
 */
@SpringBootTest(
    classes = SignupApp.class,
    properties = {
      "outbox.job-root=dev.outbox.spring.testapp.SignupJob",
      "outbox.schema.initialize=always",
      "outbox.drainer.poll-interval=100ms",
      "outbox.drainer.max-attempts=1"
    })
@DirtiesContext
abstract class SpringOutboxContract {
  private static final AtomicInteger EMAILS = new AtomicInteger();

  @Autowired SignupService service;
  @Autowired SpringOutbox<SignupJob> outbox;
  @Autowired SignupApp.Welcomed welcomed;
  @Autowired AuditHandler audits;
  @Autowired DomainTables tables;
  @Autowired JdbcTemplate jdbc;

  @DynamicPropertySource
  static void uniqueTables(DynamicPropertyRegistry registry) {
    String prefix = TestDatabase.uniquePrefix();
    registry.add("test.prefix", () -> prefix);
    registry.add("outbox.job-table", () -> prefix + "_job");
    registry.add("outbox.dead-letter-table", () -> prefix + "_dead");
  }

  @Test
  void aServiceThatThrowsAfterEnqueueingLeavesNeitherItsRowNorTheJob() {
    String email = email();
    assertThrows(IllegalStateException.class, () -> service.signUp(email, true));
    assertEquals(0, users(email));
    assertEquals(0, jobsFor(email));
  }

  @Test
  void aServiceThatCommitsLeavesItsRowAndAJobThatIsHandled() {
    String email = email();
    service.signUp(email, false);
    assertEquals(1, users(email));
    awaitTrue(() -> welcomed.emails.contains(email), "the welcome job of " + email + " handled");
  }

  @Test
  void enqueueAllJoinsTheTransactionToo() {
    List<String> emails = List.of(email(), email(), email());
    service.signUpAll(emails);
    awaitTrue(() -> welcomed.emails.containsAll(emails), "every welcome job handled");
  }

  @Test
  void enqueueOutsideATransactionIsRefusedWithHowToFixIt() {
    String email = email();
    var refused =
        assertThrows(
            OutboxException.EnqueueRefused.class,
            () -> outbox.enqueue(new SignupJob.Welcome(email)));
    assertTrue(refused.getMessage().contains("@Transactional"), refused.getMessage());
    assertTrue(refused.getMessage().contains("MANDATORY"), refused.getMessage());
    assertEquals(0, jobsFor(email));
  }

  @Test
  void aTransactionalHandlerThatThrowsLeavesNoneOfItsSpringWrites() {
    String email = email();
    service.audit(email, true);
    awaitTrue(() -> deadLettersFor(email) == 1, "the failing audit job dead-lettered");
    assertEquals(0, auditRows(email), "JdbcTemplate and @Transactional writes rolled back");
    assertFalse(audits.rowsSeenAfterCommit.containsKey(email), "afterCommit ran after a rollback");
  }

  @Test
  void aTransactionalHandlersSpringWritesCommitWithTheJobAndAfterCommitSeesThem() {
    String email = email();
    service.audit(email, false);
    awaitTrue(() -> audits.rowsSeenAfterCommit.containsKey(email), "afterCommit of " + email);
    // Both writes were visible to another connection when afterCommit ran: after the real commit.
    assertEquals(2, audits.rowsSeenAfterCommit.get(email));
    assertEquals(2, auditRows(email));
    assertEquals(0, jobsFor(email));
    assertEquals(0, deadLettersFor(email));
  }

  private static String email() {
    return "user" + EMAILS.incrementAndGet() + "@example.com";
  }

  private int users(String email) {
    return count("SELECT COUNT(*) FROM " + tables.users() + " WHERE email = ?", email);
  }

  private int auditRows(String email) {
    return count("SELECT COUNT(*) FROM " + tables.audit() + " WHERE email = ?", email);
  }

  private int jobsFor(String email) {
    return count(
        "SELECT COUNT(*) FROM " + outbox.jdbc().jobTable() + " WHERE payload LIKE ?",
        "%" + email + "%");
  }

  private long deadLettersFor(String email) {
    return outbox.jdbc().deadLetters().list(DeadLetterQuery.all()).stream()
        .filter(dead -> dead.payload().contains(email))
        .count();
  }

  private int count(String sql, String argument) {
    Integer count = jdbc.queryForObject(sql, Integer.class, argument);
    return count == null ? 0 : count;
  }

  /** Waits for something the drainer does; the deadline only bounds a broken run. */
  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never happened: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}
