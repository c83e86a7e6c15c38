package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.job.EnqueueOptions;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Guarantee 7: one at a time per ordering key, in enqueue order; a dead head lets the rest go. */
public abstract class OrderingContract extends OutboxTestBase {

  @Test
  void jobsOfOneOrderingKeyRunOneAtATimeInEnqueueOrderAcrossDrainers() throws Exception {
    int keys = 4;
    int steps = 25;
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      for (int seq = 0; seq < steps; seq++) {
        for (int k = 0; k < keys; k++) {
          outbox.enqueue(
              tx,
              new TestJob.Step("key" + k, seq),
              EnqueueOptions.defaults().withOrderingKey("key" + k));
        }
      }
      outbox.enqueue(tx, new TestJob.Greet("unordered"));
      tx.commit();
    }
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(3);
    List<Future<?>> loops = new ArrayList<>();
    for (int d = 0; d < 3; d++) {
      Drainer<TestJob> drainer =
          drainer()
              .batchSize(10)
              .handler(
                  job -> {
                    if (job.payload() instanceof TestJob.Step step) {
                      AtomicInteger running =
                          inFlight.computeIfAbsent(step.key(), k -> new AtomicInteger());
                      if (running.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                      }
                      seen.computeIfAbsent(
                              step.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                          .add(step.seq());
                      Thread.sleep(1);
                      running.decrementAndGet();
                    }
                    return Outcome.done();
                  })
              .build();
      loops.add(
          threads.submit(
              () -> {
                int idle = 0;
                while (idle < 20) {
                  idle = drainer.drainOnce().claimed() == 0 ? idle + 1 : 0;
                  Thread.sleep(idle == 0 ? 0 : 20);
                }
                return null;
              }));
    }
    for (Future<?> loop : loops) {
      loop.get(2, TimeUnit.MINUTES);
    }
    threads.shutdown();
    assertEquals(0, overlaps.get(), "two jobs of one key ran at once");
    List<Integer> expected = java.util.stream.IntStream.range(0, steps).boxed().toList();
    for (int k = 0; k < keys; k++) {
      assertEquals(expected, seen.get("key" + k), "order of key" + k);
    }
    assertEquals(0, count(jobTable));
  }

  @Test
  void whenTheHeadOfAKeyDiesTheRestOfThatKeyContinues() throws Exception {
    var ordered = EnqueueOptions.defaults().withOrderingKey("cart-1");
    long head = enqueueCommitted(ordered, new TestJob.Boom("poison")).get(0);
    enqueueCommitted(ordered, new TestJob.Step("cart-1", 1), new TestJob.Step("cart-1", 2));
    List<Object> handled = Collections.synchronizedList(new ArrayList<>());
    Drainer<TestJob> drainer =
        drainer()
            .maxAttempts(2)
            .handler(
                job -> {
                  if (job.payload() instanceof TestJob.Boom) {
                    throw new IllegalStateException("poison");
                  }
                  handled.add(job.payload());
                  return Outcome.done();
                })
            .build();
    assertEquals(1, drainer.drainOnce().claimed(), "only the head is claimable");
    assertEquals(0, drainer.drainOnce().claimed(), "the head is retrying: the key waits");
    makeAllDue();
    assertEquals(1, drainer.drainOnce().deadLettered());
    drainer.drainOnce();
    drainer.drainOnce();
    assertEquals(List.of(new TestJob.Step("cart-1", 1), new TestJob.Step("cart-1", 2)), handled);
    assertTrue(outbox.deadLetters().find(head).isDefined());
  }

  @Test
  void aLowerIdJobWhoseTransactionCommitsWhileALaterJobOfItsKeyRunsWaitsForIt() throws Exception {
    var ordered = EnqueueOptions.defaults().withOrderingKey("late");
    try (Connection slowProducer = dataSource.getConnection()) {
      slowProducer.setAutoCommit(false);
      outbox.enqueue(slowProducer, new TestJob.Step("late", 1), ordered); // the lower id
      enqueueCommitted(ordered, new TestJob.Step("late", 2));
      try (HeldHandler held = new HeldHandler()) {
        held.startDraining(drainer().handler(held).build());
        assertEquals(new TestJob.Step("late", 2), held.awaitStarted());
        slowProducer.commit();
        Drainer<TestJob> other = drainer().handler(job -> Outcome.done()).build();
        assertEquals(0, other.drainOnce().claimed(), "step 1 must wait while step 2 runs");
        held.letGo();
        assertEquals(1, held.awaitDrained().succeeded());
        assertEquals(1, other.drainOnce().succeeded(), "then step 1 runs");
      }
    }
    assertEquals(0, count(jobTable));
  }

  @Test
  void aRequeuedHeadWaitsForTheRunningNextStepOfItsKeyAndThenRunsBeforeTheRest() throws Exception {
    var ordered = EnqueueOptions.defaults().withOrderingKey("cart");
    long head = enqueueCommitted(ordered, new TestJob.Boom("head")).get(0);
    enqueueCommitted(ordered, new TestJob.Step("cart", 1), new TestJob.Step("cart", 2));
    Drainer<TestJob> burier =
        drainer()
            .maxAttempts(1)
            .handler(
                job -> {
                  throw new IllegalStateException("dies");
                })
            .build();
    assertEquals(1, burier.drainOnce().deadLettered());
    List<Object> handled = Collections.synchronizedList(new ArrayList<>());
    try (HeldHandler held = new HeldHandler()) {
      held.startDraining(drainer().handler(held).build());
      assertEquals(new TestJob.Step("cart", 1), held.awaitStarted());
      assertTrue(outbox.deadLetters().requeue(head));
      Drainer<TestJob> other =
          drainer()
              .handler(
                  job -> {
                    handled.add(job.payload());
                    return Outcome.done();
                  })
              .build();
      assertEquals(0, other.drainOnce().claimed(), "the requeued head must wait for step 1");
      held.letGo();
      held.awaitDrained();
      other.drainOnce();
      other.drainOnce();
    }
    assertEquals(List.of(new TestJob.Boom("head"), new TestJob.Step("cart", 2)), handled);
  }

  /** A handler that holds the first job it gets until let go, drained on a thread of its own. */
  private static final class HeldHandler
      implements dev.outbox.drain.JobHandler<TestJob>, AutoCloseable {
    private final java.util.concurrent.BlockingQueue<TestJob> started =
        new java.util.concurrent.LinkedBlockingQueue<>();
    private final java.util.concurrent.CountDownLatch release =
        new java.util.concurrent.CountDownLatch(1);
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private Future<dev.outbox.drain.DrainReport> drained;

    @Override
    public Outcome handle(dev.outbox.job.Job<TestJob> job) throws Exception {
      started.add(job.payload());
      release.await();
      return Outcome.done();
    }

    void startDraining(Drainer<TestJob> drainer) {
      drained = thread.submit(drainer::drainOnce);
    }

    TestJob awaitStarted() throws InterruptedException {
      return started.poll(30, TimeUnit.SECONDS);
    }

    void letGo() {
      release.countDown();
    }

    dev.outbox.drain.DrainReport awaitDrained() throws Exception {
      return drained.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      release.countDown();
      thread.shutdown();
    }
  }

  @Test
  void aStartedDrainerRunsTheNextJobOfAKeyRightAfterTheHeadInsteadOfAtItsNextPoll()
      throws Exception {
    var ordered = EnqueueOptions.defaults().withOrderingKey("chain");
    enqueueCommitted(
        ordered,
        new TestJob.Step("chain", 1),
        new TestJob.Step("chain", 2),
        new TestJob.Step("chain", 3));
    java.util.concurrent.BlockingQueue<Object> handled =
        new java.util.concurrent.LinkedBlockingQueue<>();
    try (Drainer<TestJob> drainer =
        drainer()
            .pollInterval(java.time.Duration.ofHours(1))
            .listen(false)
            .handler(
                job -> {
                  handled.add(job.payload());
                  return Outcome.done();
                })
            .build()) {
      drainer.start();
      for (int seq = 1; seq <= 3; seq++) {
        assertEquals(
            new TestJob.Step("chain", seq),
            handled.poll(30, TimeUnit.SECONDS),
            "step "
                + seq
                + " should run right after the previous one, not at the next poll an hour later");
      }
    }
  }
}
