package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Backoff;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.JobHandler;
import dev.outbox.drain.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Guarantees 2, 4, 6, 10 and retries: claiming, fencing, parse errors, backoff, shutdown. */
public abstract class DrainContract extends OutboxTestBase {

  @Test
  void aRowEditedToTheMaximumAttemptCountGoesToTheDeadLettersAndTheRestStillRun() throws Exception {
    List<Long> ids = enqueueCommitted(new TestJob.Greet("edited"), new TestJob.Greet("fine"));
    execute("UPDATE " + jobTable + " SET attempts = 2147483647 WHERE id = " + ids.get(0));
    DrainReport report = drainer().handler(job -> Outcome.done()).build().drainOnce();
    assertEquals(2, report.claimed());
    assertEquals(1, report.succeeded(), "the other job");
    assertEquals(1, report.deadLettered(), "the edited row");
    assertEquals(
        DeadLetterReason.RETRIES_EXHAUSTED, outbox.deadLetters().find(ids.get(0)).get().reason());
  }

  @Test
  void concurrentDrainersNeverRunTheSameClaimedJobAtOnceAndLoseNothing() throws Exception {
    int jobs = 600;
    TestJob[] batch = new TestJob[jobs];
    for (int i = 0; i < jobs; i++) {
      batch[i] = new TestJob.Greet("n" + i);
    }
    List<Long> ids = enqueueCommitted(batch);
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    AtomicInteger overlapping = new AtomicInteger();
    Map<Long, Boolean> running = new ConcurrentHashMap<>();
    JobHandler<TestJob> handler =
        job -> {
          if (running.putIfAbsent(job.id(), true) != null) {
            overlapping.incrementAndGet();
          }
          runs.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet();
          running.remove(job.id());
          return Outcome.done();
        };
    ExecutorService threads = Executors.newFixedThreadPool(4);
    List<Future<?>> loops = new ArrayList<>();
    for (int d = 0; d < 4; d++) {
      Drainer<TestJob> drainer = drainer().batchSize(25).handler(handler).build();
      loops.add(
          threads.submit(
              () -> {
                while (drainer.drainOnce().claimed() > 0) {
                  // keep draining
                }
                return null;
              }));
    }
    for (Future<?> loop : loops) {
      loop.get(2, TimeUnit.MINUTES);
    }
    threads.shutdown();
    assertEquals(0, overlapping.get());
    assertEquals(jobs, runs.size(), "every committed job handled");
    assertTrue(runs.values().stream().allMatch(count -> count.get() == 1), "no job handled twice");
    assertTrue(runs.keySet().containsAll(ids));
    assertEquals(0, count(jobTable));
  }

  @Test
  void anExpiredLeaseIsReclaimedAndTheStaleDrainersCompletionIsRefused() throws Exception {
    long id = enqueueCommitted(new TestJob.Greet("slow")).get(0);
    LostLease lost = loseTheLease(drainer().lease(Duration.ofMillis(300)));
    DrainReport staleReport = lost.stale();
    assertEquals(
        1, lost.taker().snoozed(), "the second drainer took the job after the lease expired");
    assertEquals(1, staleReport.fenced(), "the stale completion must not apply");
    assertEquals(0, staleReport.succeeded());
    assertEquals(
        1, count(jobTable), "the job is still there, rescheduled by the drainer that holds it");
    assertEquals(1, attempts(id), "snoozed by the new holder: its attempt was given back");
  }

  @Test
  void anUnparseableRowGoesStraightToDeadLettersAndTheNextJobStillRuns() throws Exception {
    insertRaw("NoSuchKind", "{}");
    insertRaw("java.lang.ProcessBuilder", "{\"command\":[\"rm\"]}");
    insertRaw("Greet", "{not json");
    insertRaw("Greet", "[1,2]");
    enqueueCommitted(new TestJob.Greet("fine"));
    List<Object> handled = new ArrayList<>();
    DrainReport report =
        drainer().concurrency(1).handler(JobHandler.consuming(handled::add)).build().drainOnce();
    assertEquals(List.of(new TestJob.Greet("fine")), handled);
    assertEquals(4, report.unparseable());
    assertEquals(4, report.deadLettered());
    List<DeadLetter> letters =
        outbox.deadLetters().list(dev.outbox.deadletter.DeadLetterQuery.all());
    assertEquals(4, letters.size());
    assertTrue(
        letters.stream()
            .allMatch(l -> l.reason() == DeadLetterReason.UNPARSEABLE && l.attempts() == 1));
    assertContains(letters.get(0).error(), "unknown kind 'NoSuchKind'");
    assertContains(letters.get(2).error(), "not valid JSON");
    assertContains(letters.get(3).error(), "does not fit");
    assertEquals(0, count(jobTable));
  }

  @Test
  void failuresAreRetriedAfterTheirBackoffAndEndInTheDeadLetters() throws Exception {
    long id = enqueueCommitted(new TestJob.Boom("always")).get(0);
    Drainer<TestJob> drainer =
        drainer()
            .maxAttempts(3)
            .handler(
                job -> {
                  throw new IllegalStateException("not implemented");
                })
            .build();
    for (int attempt = 1; attempt <= 2; attempt++) {
      assertEquals(1, drainer.drainOnce().retried());
      assertEquals(attempt, attempts(id));
      assertEquals(0, drainer.drainOnce().claimed(), "not due again before the backoff");
      long wait = queryLong("SELECT run_at - created_at FROM " + jobTable);
      assertTrue(wait >= Duration.ofSeconds(55).toMillis(), "backoff of a minute, was " + wait);
      makeAllDue();
    }
    DrainReport last = drainer.drainOnce();
    assertEquals(1, last.deadLettered());
    DeadLetter letter = outbox.deadLetters().find(id).get();
    assertEquals(DeadLetterReason.RETRIES_EXHAUSTED, letter.reason());
    assertEquals(3, letter.attempts());
    assertContains(letter.error(), "IllegalStateException: not implemented");
  }

  @Test
  void aNonRetryableFailureGoesToTheDeadLettersAtOnce() throws Exception {
    long id = enqueueCommitted(new TestJob.Boom("bad input")).get(0);
    DrainReport report =
        drainer()
            .nonRetryable(IllegalArgumentException.class)
            .handler(
                job -> {
                  throw new RuntimeException(
                      "wrapped", new IllegalArgumentException("no such customer"));
                })
            .build()
            .drainOnce();
    assertEquals(1, report.deadLettered());
    assertEquals(DeadLetterReason.NON_RETRYABLE, outbox.deadLetters().find(id).get().reason());
  }

  @Test
  void retryLaterReschedulesWithoutUsingAnAttempt() throws Exception {
    long id = enqueueCommitted(new TestJob.Greet("not yet")).get(0);
    Drainer<TestJob> drainer =
        drainer().maxAttempts(1).handler(job -> Outcome.retryAfter(Duration.ofMinutes(10))).build();
    for (int i = 0; i < 3; i++) {
      assertEquals(1, drainer.drainOnce().snoozed());
      assertEquals(0, attempts(id));
      makeAllDue();
    }
    assertEquals(0, count(deadLetterTable));
  }

  @Test
  void perKindBackoffOverridesTheDefault() throws Exception {
    enqueueCommitted(new TestJob.Boom("x"));
    drainer()
        .backoff(TestJob.Boom.class, Backoff.fixed(Duration.ofHours(5)))
        .handler(job -> Outcome.failed(new RuntimeException("x")))
        .build()
        .drainOnce();
    long wait = queryLong("SELECT run_at - created_at FROM " + jobTable);
    assertTrue(wait >= Duration.ofHours(4).toMillis(), "per-kind backoff, was " + wait);
  }

  @Test
  void closeReleasesUnfinishedJobsWithinTheDeadline() throws Exception {
    long id = enqueueCommitted(new TestJob.Greet("stuck")).get(0);
    CountDownLatch started = new CountDownLatch(1);
    Drainer<TestJob> drainer =
        drainer()
            .handler(
                job -> {
                  started.countDown();
                  Thread.sleep(Long.MAX_VALUE);
                  return Outcome.done();
                })
            .build();
    drainer.start();
    assertTrue(started.await(30, TimeUnit.SECONDS));
    drainer.close(Duration.ofMillis(300));
    assertEquals(0, attempts(id), "released: attempt given back");
    assertEquals(
        0, queryLong("SELECT COUNT(*) FROM " + jobTable + " WHERE lease_token IS NOT NULL"));
    assertEquals(
        1,
        drainer().handler(job -> Outcome.done()).build().drainOnce().succeeded(),
        "due again at once");
  }

  @Test
  void aStartedDrainerHandlesWorkWhenWokenBeforeItsPollInterval() throws Exception {
    CountDownLatch handled = new CountDownLatch(1);
    try (Drainer<TestJob> drainer =
        drainer()
            .pollInterval(Duration.ofHours(1))
            .handler(
                job -> {
                  handled.countDown();
                  return Outcome.done();
                })
            .build()) {
      drainer.start();
      Thread.sleep(200);
      enqueueCommitted(new TestJob.Greet("wake"));
      drainer.wake();
      assertTrue(handled.await(30, TimeUnit.SECONDS), "woken drainer handled the job");
    }
  }
}
