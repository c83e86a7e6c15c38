package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.DrainEvent;
import dev.outbox.drain.DrainListener;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.TestJob.Boom;
import dev.outbox.jdbc.TestJob.Greet;
import dev.outbox.jdbc.testing.CapturedLogs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Every {@link DrainEvent} fires where it should: the events add up to the reports. */
public abstract class ListenerContract extends OutboxTestBase {

  /** Keeps every event it is told. */
  static final class Recorder implements DrainListener {
    final ConcurrentLinkedQueue<DrainEvent> events = new ConcurrentLinkedQueue<>();

    @Override
    public void on(DrainEvent event) {
      events.add(event);
    }

    <E extends DrainEvent> List<E> of(Class<E> type) {
      return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    long handled(Class<? extends Outcome> outcome) {
      return of(DrainEvent.Handled.class).stream()
          .filter(e -> outcome.isInstance(e.outcome()))
          .count();
    }
  }

  /** Two good jobs, two failing, one unparseable row; the failing ones dead-letter on attempt 2. */
  private DrainReport drainMixedQueue(DrainListener... listeners) throws Exception {
    try (CapturedLogs logs = CapturedLogs.of(Drainer.class)) {
      return drainMixedQueue(logs, listeners);
    }
  }

  private DrainReport drainMixedQueue(CapturedLogs logs, DrainListener... listeners)
      throws Exception {
    enqueueCommitted(new Greet("a"), new Greet("later"), new Boom("x"), new Boom("y"));
    insertRaw("no-such-kind", "{}");
    Set<String> snoozedOnce = ConcurrentHashMap.newKeySet();
    var builder =
        drainer()
            .maxAttempts(2)
            .handler(
                job -> {
                  if (job.payload() instanceof Greet greet && greet.name().equals("later")) {
                    return snoozedOnce.add(greet.name())
                        ? Outcome.retryAfter(Duration.ofHours(1))
                        : Outcome.done();
                  }
                  if (job.payload() instanceof Boom) {
                    return Outcome.failed(new IllegalStateException("boom on " + job.attempt()));
                  }
                  return Outcome.done();
                });
    for (DrainListener listener : listeners) {
      builder.listener(listener);
    }
    Drainer<TestJob> drainer = builder.build();
    DrainReport total = DrainReport.EMPTY;
    for (int round = 0; round < 3; round++) {
      makeAllDue();
      total = total.plus(drainer.drainOnce());
    }
    return total;
  }

  @Test
  void eventsAddUpToTheDrainReports() throws Exception {
    Recorder recorder = new Recorder();

    DrainReport total = drainMixedQueue(recorder);

    assertEquals(2, total.succeeded());
    assertEquals(2, total.retried());
    assertEquals(1, total.snoozed());
    assertEquals(3, total.deadLettered());
    assertEquals(
        total.claimed(),
        recorder.of(DrainEvent.Claimed.class).stream().mapToLong(DrainEvent.Claimed::jobs).sum());
    assertEquals(total.succeeded(), recorder.handled(Outcome.Done.class));
    assertEquals(total.retried(), recorder.of(DrainEvent.Retried.class).size());
    assertEquals(total.snoozed(), recorder.of(DrainEvent.Snoozed.class).size());
    assertEquals(total.deadLettered(), recorder.of(DrainEvent.DeadLettered.class).size());
    assertEquals(4, recorder.handled(Outcome.Failed.class), "two jobs failed twice each");
    assertEquals(0, recorder.of(DrainEvent.OutcomesFenced.class).size());
  }

  @Test
  void retriedAndDeadLetteredEventsCarryTheJobTheErrorAndTheReason() throws Exception {
    Recorder recorder = new Recorder();

    drainMixedQueue(recorder);

    DrainEvent.Retried retried = recorder.of(DrainEvent.Retried.class).get(0);
    assertEquals("boom on 1", retried.error().getMessage());
    assertEquals(Duration.ofMinutes(1), retried.delay(), "the drainer's fixed backoff");
    assertEquals(1, retried.job().attempt());
    assertEquals("outbox-drainer", retried.drainer());
    List<DrainEvent.DeadLettered> buried = recorder.of(DrainEvent.DeadLettered.class);
    assertEquals(
        2, buried.stream().filter(e -> e.reason() == DeadLetterReason.RETRIES_EXHAUSTED).count());
    DrainEvent.DeadLettered unparseable =
        buried.stream().filter(e -> e.reason() == DeadLetterReason.UNPARSEABLE).findFirst().get();
    assertEquals("no-such-kind", unparseable.job().kind());
    DrainEvent.DeadLettered exhausted = buried.get(buried.size() - 1);
    assertEquals(2, exhausted.job().attempt());
    assertContains(exhausted.error(), "boom on 2");
  }

  @Test
  void aThrowingListenerChangesNothing() throws Exception {
    Recorder recorder = new Recorder();
    DrainListener throwing =
        event -> {
          throw new IllegalStateException("a broken listener");
        };

    DrainReport total;
    List<String> warnings;
    try (CapturedLogs logs = CapturedLogs.of(Drainer.class)) {
      total = drainMixedQueue(logs, throwing, recorder);
      warnings = logs.at(Level.WARN);
    }

    assertEquals(2, total.succeeded());
    assertEquals(2, total.retried());
    assertEquals(1, total.snoozed());
    assertEquals(3, total.deadLettered());
    assertEquals(0, count(jobTable));
    assertEquals(3, count(deadLetterTable));
    assertEquals(total.deadLettered(), recorder.of(DrainEvent.DeadLettered.class).size());
    assertEquals(
        1,
        warnings.stream().filter(line -> line.contains("threw")).count(),
        "logged once at WARN, later failures at DEBUG: " + warnings);
  }

  @Test
  void handledCarriesTheLagFromTheDueTimeAndTheHandlerDuration() throws Exception {
    long id = enqueueCommitted(new Greet("late")).get(0);
    execute(
        "UPDATE "
            + jobTable
            + " SET run_at = "
            + (System.currentTimeMillis() - 60_000)
            + " WHERE id = "
            + id);
    Recorder recorder = new Recorder();

    drainer()
        .listener(recorder)
        .handler(
            job -> {
              Thread.sleep(20);
              return Outcome.done();
            })
        .build()
        .drainOnce();

    DrainEvent.Handled handled = recorder.of(DrainEvent.Handled.class).get(0);
    assertEquals(id, handled.job().id());
    assertTrue(handled.lag().compareTo(Duration.ofSeconds(59)) >= 0, handled.lag().toString());
    assertTrue(
        handled.duration().compareTo(Duration.ofMillis(20)) >= 0, handled.duration().toString());
  }

  @Test
  void aLostLeaseIsReportedAsFencedOutcomes() throws Exception {
    enqueueCommitted(new Greet("contested"));
    Recorder recorder = new Recorder();

    DrainReport staleReport = loseTheLease(drainer().listener(recorder)).stale();

    assertEquals(1, staleReport.fenced());
    assertEquals(
        List.of(new DrainEvent.OutcomesFenced("outbox-drainer", 1)),
        recorder.of(DrainEvent.OutcomesFenced.class));
    assertEquals(1, recorder.handled(Outcome.Done.class), "handled, then not applied");
  }

  /**
   * The builder, with a handler that completes each job, started until it has handled {@code jobs}.
   */
  private static Drainer<TestJob> startUntilHandled(DrainerBuilder<TestJob> builder, int jobs)
      throws InterruptedException {
    CountDownLatch handled = new CountDownLatch(jobs);
    Drainer<TestJob> drainer =
        builder
            .handler(
                job -> {
                  handled.countDown();
                  return Outcome.done();
                })
            .build();
    drainer.start();
    assertTrue(handled.await(30, TimeUnit.SECONDS));
    return drainer;
  }

  @Test
  void aStartedDrainerTellsItsStartAndItsStopWithItsTotals() throws Exception {
    enqueueCommitted(new Greet("a"), new Greet("b"));
    Recorder recorder = new Recorder();
    Drainer<TestJob> drainer = startUntilHandled(drainer().name("observed").listener(recorder), 2);

    assertTrue(drainer.close(Duration.ofSeconds(30)));
    drainer.close();

    assertEquals(
        List.of(new DrainEvent.Started("observed")), recorder.of(DrainEvent.Started.class));
    List<DrainEvent.Stopped> stopped = recorder.of(DrainEvent.Stopped.class);
    assertEquals(1, stopped.size(), "closing twice stops once");
    assertTrue(stopped.get(0).clean());
    assertEquals(drainer.totals(), stopped.get(0).totals());
    assertEquals(2, stopped.get(0).totals().succeeded());
    assertFalse(recorder.events.stream().anyMatch(e -> !e.drainer().equals("observed")));
  }

  @Test
  void aHandlerSeesItsJobInTheMdc() throws Exception {
    long id = enqueueCommitted(new Greet("logged")).get(0);
    List<Map<String, String>> seen = new CopyOnWriteArrayList<>();

    drainer()
        .handler(
            job -> {
              seen.add(MDC.getCopyOfContextMap());
              return Outcome.done();
            })
        .build()
        .drainOnce();

    assertEquals(
        List.of(
            Map.of(
                "outbox.job.id", Long.toString(id),
                "outbox.job.kind", "Greet",
                "outbox.job.attempt", "1")),
        seen);
  }

  @Test
  void eachDeadLetterIsOneWarnWithItsIdKindReasonAttemptsAndTheErrorsFirstLine() throws Exception {
    long id = enqueueCommitted(new Boom("x")).get(0);

    try (CapturedLogs logs = CapturedLogs.of(Drainer.class)) {
      drainer()
          .maxAttempts(1)
          .handler(job -> Outcome.failed(new IllegalStateException("first line\nsecond line")))
          .build()
          .drainOnce();

      assertEquals(
          List.of(
              "job "
                  + id
                  + " (Boom) dead-lettered, RETRIES_EXHAUSTED after 1 attempt(s):"
                  + " java.lang.IllegalStateException: first line"),
          logs.at(Level.WARN));
    }
  }

  @Test
  void aStartedDrainerLogsItsSettingsAndWhatItDidWhenItStops() throws Exception {
    enqueueCommitted(new Greet("a"));

    try (CapturedLogs logs = CapturedLogs.of(Drainer.class)) {
      Drainer<TestJob> drainer = startUntilHandled(drainer().name("logged").batchSize(7), 1);
      drainer.close(Duration.ofSeconds(30));

      List<String> info = logs.at(Level.INFO);
      assertEquals(2, info.size(), info.toString());
      assertContains(info.get(0), "logged: started: batchSize 7, concurrency 8", "lease PT1M");
      assertContains(info.get(1), "logged: stopped: since start 1 succeeded", "0 released");
    }
  }

  @Test
  void theMdcIsClearedAfterTheHandlerSoTheThreadsNextRunDoesNotSeeIt() throws Exception {
    enqueueCommitted(new TestJob.Effect(1), new Greet("next"));
    List<String> threads = new CopyOnWriteArrayList<>();
    List<Map<String, String>> seen = new CopyOnWriteArrayList<>();

    drainer()
        .concurrency(1)
        .transactional(
            TestJob.Effect.class,
            (job, tx) -> {
              threads.add(Thread.currentThread().getName());
              return Outcome.done();
            })
        .batchHandler(
            jobs -> { // batch handlers get no MDC: they run several jobs at once
              threads.add(Thread.currentThread().getName());
              seen.add(MDC.getCopyOfContextMap());
              return Map.of(jobs.get(0).id(), Outcome.done());
            })
        .build()
        .drainOnce();

    assertEquals(2, threads.size());
    assertEquals(threads.get(0), threads.get(1), "one handler thread ran both, in turn");
    Map<String, String> after = seen.get(0);
    assertTrue(after == null || after.isEmpty(), "left behind: " + after);
  }
}
