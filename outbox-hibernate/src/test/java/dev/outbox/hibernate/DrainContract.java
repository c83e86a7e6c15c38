package dev.outbox.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterQuery;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.JobHandler;
import dev.outbox.drain.Outcome;
import dev.outbox.hibernate.ShopJob.EntityChanged;
import dev.outbox.hibernate.ShopJob.SendWelcome;
import dev.outbox.hibernate.internal.CommitWaker;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.hibernate.FlushMode;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.junit.jupiter.api.Test;

/** Jobs and change events from sessions are drained like any other: woken on commit, in order. */
public abstract class DrainContract extends HibernateTestBase {
  private static final Duration AN_HOUR = Duration.ofHours(1);

  /** A generous bound so that a broken wake fails the test instead of hanging it. */
  private static String next(BlockingQueue<String> handled) throws InterruptedException {
    String value = handled.poll(60, TimeUnit.SECONDS);
    if (value == null) {
      throw new AssertionError("nothing was handled: the drainer was not woken by the commit");
    }
    return value;
  }

  private static String describe(ShopJob job) {
    // On Java 21: switch (job) { case SendWelcome welcome -> ...; case EntityChanged changed -> ...
    // }
    if (job instanceof SendWelcome welcome) {
      return "welcome " + welcome.email();
    }
    EntityChanged changed = (EntityChanged) job;
    return changed.kind() + " " + changed.id();
  }

  @Test
  void aDrainerInTheSameJvmHandlesTheJobRightAfterTheCommitNotAtItsNextPoll() throws Exception {
    BlockingQueue<String> handled = new LinkedBlockingQueue<>();
    List<String> timeline = new CopyOnWriteArrayList<>();
    Drainer<ShopJob> drainer =
        closedAfterTest(
            outbox
                .drainer()
                .pollInterval(AN_HOUR)
                .handler(
                    JobHandler.consuming(
                        job -> {
                          timeline.add("handled " + describe(job));
                          handled.add(describe(job));
                        }))
                .build());
    outbox.wakeOnCommit(drainer);
    sessionFactory.inTransaction(session -> outbox.enqueue(session, new SendWelcome("first@x")));
    drainer.start(); // drains the first job at once, then sleeps for an hour
    assertEquals("welcome first@x", next(handled));

    sessionFactory.inTransaction(
        session -> {
          outbox.enqueue(session, new SendWelcome("second@x"));
          session.persist(new Customer(7, "ada@example.com", "Ada"));
          timeline.add("committing");
        });
    // The job and the change event have different ordering keys: handled in either order.
    assertEquals(
        Set.of("welcome second@x", "db/customers.created 7"), Set.of(next(handled), next(handled)));
    assertEquals(List.of("handled welcome first@x", "committing"), timeline.subList(0, 2));
    assertEquals(4, timeline.size());

    // An event that only appears in the flush at commit wakes the drainer as well.
    sessionFactory.inTransaction(session -> session.find(Customer.class, 7L).visits = 1);
    assertEquals("db/customers.updated 7", next(handled));

    // Under FlushMode.MANUAL the held job is written just before the commit, and wakes it too.
    sessionFactory.inTransaction(
        session -> {
          session.setHibernateFlushMode(FlushMode.MANUAL);
          outbox.enqueue(session, new SendWelcome("manual@x"));
        });
    assertEquals("welcome manual@x", next(handled));
  }

  @Test
  void aCommitWakesOncePerTransactionAndARollbackWakesNothing() {
    CommitWaker waker = new CommitWaker();
    assertThrows(
        IllegalStateException.class,
        () ->
            sessionFactory.inTransaction(
                session -> {
                  waker.armFor((SharedSessionContractImplementor) session);
                  throw new IllegalStateException("rolled back");
                }));
    assertEquals(0, waker.commitsSignalled());
    sessionFactory.inTransaction(
        session -> {
          waker.armFor((SharedSessionContractImplementor) session);
          waker.armFor((SharedSessionContractImplementor) session);
        });
    assertEquals(1, waker.commitsSignalled());
    sessionFactory.inTransaction(
        session -> waker.armFor((SharedSessionContractImplementor) session));
    assertEquals(2, waker.commitsSignalled());
  }

  @Test
  void theEventsOfARowAreHandledInTheirOrderByASwitchOverTheJobHierarchy() throws Exception {
    sessionFactory.inTransaction(
        session -> session.persist(new Customer(7, "ada@example.com", "Ada")));
    sessionFactory.inTransaction(session -> session.find(Customer.class, 7L).visits = 1);
    sessionFactory.inTransaction(session -> session.remove(session.find(Customer.class, 7L)));
    List<String> handled = new CopyOnWriteArrayList<>();
    Drainer<ShopJob> drainer =
        outbox
            .drainer()
            .concurrency(4)
            .handler(JobHandler.consuming(job -> handled.add(describe(job))))
            .build();
    while (drainer.drainOnce().claimed() > 0) {
      // one event of the row per claim: the ordering key holds the next back
    }
    drainer.close();
    assertEquals(
        List.of("db/customers.created 7", "db/customers.updated 7", "db/customers.deleted 7"),
        handled);
  }

  @Test
  void aTransactionalHandlerRegisteredForTheChangeEventLeafReceivesEveryEventKind() {
    sessionFactory.inTransaction(
        session -> session.persist(new Customer(7, "ada@example.com", "Ada")));
    List<String> inTransaction = new CopyOnWriteArrayList<>();
    Drainer<ShopJob> drainer =
        outbox
            .drainer()
            .handler(job -> Outcome.failed(new AssertionError("not for the default handler")))
            .transactional(
                EntityChanged.class,
                (job, tx) -> {
                  inTransaction.add(job.payload().kind());
                  return Outcome.done();
                })
            .build();
    drainer.drainOnce();
    drainer.close();
    assertEquals(List.of("db/customers.created"), inTransaction);
    assertEquals(List.of(), jobs());
  }

  @Test
  void aChangeEventThatFailsForGoodIsADeadLetterReachableFromTheHibernateOutbox() {
    sessionFactory.inTransaction(
        session -> session.persist(new Customer(7, "ada@example.com", "Ada")));
    Drainer<ShopJob> drainer =
        outbox.drainer().handler(job -> Outcome.deadLetter("no mailer configured")).build();
    drainer.drainOnce();
    drainer.close();
    List<DeadLetter> letters = outbox.deadLetters().list(DeadLetterQuery.all());
    assertEquals(1, letters.size());
    assertEquals("db/customers.created", letters.get(0).kind());
    assertEquals(DeadLetterReason.NON_RETRYABLE, letters.get(0).reason());
    assertEquals("db/customers/7", letters.get(0).orderingKey().get());
    assertTrue(outbox.deadLetters().requeue(letters.get(0).id()));
    assertEquals(List.of("db/customers.created"), kinds());
  }
}
