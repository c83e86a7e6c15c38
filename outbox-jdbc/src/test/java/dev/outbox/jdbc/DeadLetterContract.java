package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterQuery;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Outcome;
import dev.outbox.job.EnqueueOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Dead letters: inspect, filter, page, requeue, delete. */
public abstract class DeadLetterContract extends OutboxTestBase {

  private void killAll() {
    drainer()
        .handler(
            job ->
                job.payload() instanceof TestJob.Boom
                    ? Outcome.deadLetter("refused: " + job.id())
                    : Outcome.failed(new RuntimeException("no")))
        .maxAttempts(1)
        .build()
        .drainOnce();
  }

  @Test
  void aDeadLetterWithAReasonThisVersionDoesNotKnowIsListedAsUnknownBesideTheOthers()
      throws Exception {
    enqueueCommitted(new TestJob.Boom("a"), new TestJob.Boom("b"));
    killAll();
    execute(
        "INSERT INTO "
            + deadLetterTable
            + " (id, kind, payload, created_at, died_at, attempts, reason)"
            + " VALUES (1000, 'Boom', '{}', 0, 0, 1, 'FROM_A_NEWER_VERSION')");
    List<DeadLetter> page = outbox.deadLetters().list(DeadLetterQuery.all());
    assertEquals(3, page.size(), "the whole page");
    assertEquals(DeadLetterReason.UNKNOWN, page.get(2).reason());
    var unknown = DeadLetterQuery.all().withReason(DeadLetterReason.UNKNOWN);
    assertEquals(
        List.of(1000L), outbox.deadLetters().list(unknown).stream().map(DeadLetter::id).toList());
    assertEquals(1, outbox.deadLetters().count(unknown));
    assertEquals(DeadLetterReason.UNKNOWN, outbox.deadLetters().find(1000).get().reason());
  }

  @Test
  void requeueBringsADeadLetterBackUnderItsIdWithAttemptsReset() throws Exception {
    long id =
        enqueueCommitted(EnqueueOptions.defaults().withOrderingKey("k"), new TestJob.Boom("once"))
            .get(0);
    killAll();
    assertEquals(0, count(jobTable));
    DeadLetter letter = outbox.deadLetters().find(id).get();
    assertEquals(DeadLetterReason.NON_RETRYABLE, letter.reason());
    assertEquals("k", letter.orderingKey().get());
    assertTrue(outbox.deadLetters().requeue(id));
    assertEquals(0, count(deadLetterTable));
    assertEquals(0, attempts(id));
    List<Long> handled = new ArrayList<>();
    drainer()
        .handler(
            job -> {
              handled.add(job.id());
              return Outcome.done();
            })
        .build()
        .drainOnce();
    assertEquals(List.of(id), handled);
    assertFalse(outbox.deadLetters().requeue(id), "nothing left to requeue");
  }

  @Test
  void deadLettersCanBeListedByKindAndReasonPagedCountedAndDeleted() throws Exception {
    List<Long> booms =
        enqueueCommitted(new TestJob.Boom("a"), new TestJob.Boom("b"), new TestJob.Boom("c"));
    enqueueCommitted(new TestJob.Greet("g1"), new TestJob.Greet("g2"));
    insertRaw("Unknown", "{}");
    killAll();
    var letters = outbox.deadLetters();
    assertEquals(6, letters.count(DeadLetterQuery.all()));
    assertEquals(3, letters.count(DeadLetterQuery.all().withKind("Boom")));
    assertEquals(
        2, letters.count(DeadLetterQuery.all().withReason(DeadLetterReason.RETRIES_EXHAUSTED)));
    assertEquals(1, letters.count(DeadLetterQuery.all().withReason(DeadLetterReason.UNPARSEABLE)));
    List<DeadLetter> first = letters.list(DeadLetterQuery.all().withKind("Boom").withLimit(2));
    assertEquals(booms.subList(0, 2), first.stream().map(DeadLetter::id).toList());
    List<DeadLetter> second =
        letters.list(DeadLetterQuery.all().withKind("Boom").withLimit(2).after(first.get(1).id()));
    assertEquals(booms.subList(2, 3), second.stream().map(DeadLetter::id).toList());
    assertContains(first.get(0).error(), "refused: " + booms.get(0));
    assertTrue(letters.delete(booms.get(0)));
    assertFalse(letters.delete(booms.get(0)));
    assertEquals(2, letters.requeue(List.of(booms.get(1), booms.get(2), 999_999L)));
    assertEquals(
        2,
        letters.requeueAll(DeadLetterQuery.all().withReason(DeadLetterReason.RETRIES_EXHAUSTED)));
    assertEquals(1, letters.count(DeadLetterQuery.all()));
    assertEquals(4, count(jobTable));
  }

  @Test
  void requeueIsRefusedWholeWhenAPendingJobHoldsTheSameIdempotencyKey() throws Exception {
    var options = EnqueueOptions.defaults().withIdempotencyKey("pay-7");
    long id = enqueueCommitted(options, new TestJob.Boom("x")).get(0);
    killAll();
    enqueueCommitted(options, new TestJob.Greet("new one"));
    var error =
        org.junit.jupiter.api.Assertions.assertThrows(
            dev.outbox.OutboxException.class, () -> outbox.deadLetters().requeue(id));
    assertContains(error.getMessage(), "idempotency key");
    assertEquals(1, count(deadLetterTable), "nothing lost");
  }
}
