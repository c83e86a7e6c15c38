package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Outcome;
import dev.outbox.drain.TransactionalHandler;
import dev.outbox.job.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Transactional handlers: the handler's writes and the job's outcome commit together or not at all.
 */
public abstract class TransactionalHandlerContract extends OutboxTestBase {

  private void writeEffect(Connection tx, Job<? extends TestJob> job, String note)
      throws Exception {
    try (PreparedStatement insert =
        tx.prepareStatement("INSERT INTO " + effectTable + " (id, note) VALUES (?, ?)")) {
      insert.setLong(1, job.id());
      insert.setString(2, note);
      insert.executeUpdate();
    }
  }

  private DrainReport drainEffects(TransactionalHandler<TestJob.Effect> handler) {
    return drainer()
        .handler(job -> Outcome.done())
        .transactional(TestJob.Effect.class, handler)
        .build()
        .drainOnce();
  }

  @Test
  void theHandlersWritesAndTheJobsCompletionCommitTogether() throws Exception {
    enqueueCommitted(new TestJob.Effect(1), new TestJob.Greet("ordinary"));
    DrainReport report =
        drainEffects(
            (job, tx) -> {
              writeEffect(tx, job, "done");
              return Outcome.done();
            });
    assertEquals(2, report.succeeded());
    assertEquals(1, count(effectTable));
    assertEquals(0, count(jobTable));
  }

  @Test
  void aHandlerThatWritesThenThrowsLeavesNoWritesAndTheJobIsRetried() throws Exception {
    long id = enqueueCommitted(new TestJob.Effect(1)).get(0);
    DrainReport report =
        drainEffects(
            (job, tx) -> {
              writeEffect(tx, job, "half");
              throw new IllegalStateException("after the write");
            });
    assertEquals(1, report.retried());
    assertEquals(0, count(effectTable));
    assertEquals(1, attempts(id));
    assertContains(
        String.valueOf(
            queryLong("SELECT COUNT(*) FROM " + jobTable + " WHERE last_error IS NOT NULL")),
        "1");
  }

  @Test
  void aHandlerThatCommitsByItselfIsRefusedAndNothingIsLeftHalfDone() throws Exception {
    enqueueCommitted(new TestJob.Effect(1));
    DrainReport report =
        drainEffects(
            (job, tx) -> {
              writeEffect(tx, job, "sneaky");
              try {
                tx.commit();
              } catch (RuntimeException swallowed) {
                // a handler that hides the refusal still gets rolled back
              }
              return Outcome.done();
            });
    assertEquals(1, report.retried());
    assertEquals(0, count(effectTable));
  }

  @Test
  void setAutoCommitFalseChangesNothingAndIsAllowedButSetAutoCommitTrueIsRefused()
      throws Exception {
    enqueueCommitted(new TestJob.Effect(1), new TestJob.Effect(2));
    DrainReport report =
        drainEffects(
            (job, tx) -> {
              tx.setAutoCommit(false); // already off; a Hibernate session's begin() calls it
              writeEffect(tx, job, "kept only if not refused");
              if (job.payload().n() == 2) {
                try {
                  tx.setAutoCommit(true);
                } catch (RuntimeException refused) {
                  // swallowed on purpose: the library still rolls everything back
                }
              }
              return Outcome.done();
            });
    assertEquals(1, report.succeeded());
    assertEquals(1, report.retried());
    assertEquals(1, count(effectTable));
  }

  @Test
  void followUpJobsExistOnlyIfTheHandlersTransactionCommits() throws Exception {
    enqueueCommitted(new TestJob.Effect(1), new TestJob.Effect(2));
    drainEffects(
        (job, tx) -> {
          outbox.enqueue(tx, new TestJob.Greet("next-" + job.payload().n()));
          if (job.payload().n() == 2) {
            throw new IllegalStateException("fails after enqueueing");
          }
          return Outcome.done();
        });
    assertEquals(1, queryLong("SELECT COUNT(*) FROM " + jobTable + " WHERE kind = 'Greet'"));
    assertEquals(1, queryLong("SELECT COUNT(*) FROM " + jobTable + " WHERE kind = 'Effect'"));
  }

  @Test
  void retryLaterAndDeadLetterNowCommitWithTheHandlersWrites() throws Exception {
    long later = enqueueCommitted(new TestJob.Effect(1)).get(0);
    long refused = enqueueCommitted(new TestJob.Effect(2)).get(0);
    DrainReport report =
        drainEffects(
            (job, tx) -> {
              writeEffect(tx, job, "kept");
              return job.payload().n() == 1
                  ? Outcome.retryAfter(Duration.ofMinutes(5))
                  : Outcome.deadLetter("refused by the domain");
            });
    assertEquals(1, report.snoozed());
    assertEquals(1, report.deadLettered());
    assertEquals(2, count(effectTable));
    assertEquals(0, attempts(later), "retry later gives the attempt back");
    assertEquals(DeadLetterReason.NON_RETRYABLE, outbox.deadLetters().find(refused).get().reason());
  }
}
