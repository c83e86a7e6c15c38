package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.job.EnqueueOptions;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * While claims come back full, the next one starts after the last row the previous one took instead
 * of walking the dead index entries at the front (see ClaimCursor). Jobs that become claimable
 * behind that point must still be found.
 */
public abstract class ClaimWatermarkContract extends OutboxTestBase {
  private final List<String> handled = Collections.synchronizedList(new ArrayList<>());

  private Drainer<TestJob> recordingDrainer() {
    return drainer()
        .batchSize(5)
        .handler(
            job -> {
              handled.add(
                  job.payload() instanceof TestJob.Step step
                      ? step.key() + step.seq()
                      : ((TestJob.Greet) job.payload()).name());
              return Outcome.done();
            })
        .build();
  }

  private void enqueueGreetings(String prefix, int count) throws Exception {
    TestJob[] jobs = new TestJob[count];
    for (int i = 0; i < count; i++) {
      jobs[i] = new TestJob.Greet(prefix + i);
    }
    enqueueCommitted(jobs);
  }

  private int drainUntilEmpty(Drainer<TestJob> drainer) {
    int claims = 0;
    while (drainer.drainOnce().claimed() > 0) {
      claims++;
      assertTrue(claims < 100, "the drain did not end");
    }
    return claims;
  }

  @Test
  void aJobEnqueuedWithARunAtInThePastIsClaimedAfterBusyClaimsHavePassedItsPlace()
      throws Exception {
    enqueueGreetings("early", 20);
    Drainer<TestJob> drainer = recordingDrainer();
    assertEquals(5, drainer.drainOnce().claimed());
    assertEquals(5, drainer.drainOnce().claimed());

    enqueueCommitted(EnqueueOptions.defaults().withRunAt(Instant.EPOCH), new TestJob.Greet("late"));
    drainUntilEmpty(drainer);

    assertTrue(handled.contains("late"), "the back-dated job was never claimed: " + handled);
    assertEquals(21, handled.size(), handled.toString());
    assertEquals(0, count(jobTable));
  }

  @Test
  void anOrderingKeysNextJobIsClaimedAfterItsHeadFinishesAlthoughClaimsHadMovedPastIt()
      throws Exception {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      EnqueueOptions keyed = EnqueueOptions.defaults().withOrderingKey("k");
      outbox.enqueue(tx, new TestJob.Step("k", 1), keyed);
      outbox.enqueue(tx, new TestJob.Step("k", 2), keyed);
      for (int i = 0; i < 12; i++) {
        outbox.enqueue(tx, new TestJob.Greet("u" + i));
      }
      tx.commit();
    }
    Drainer<TestJob> drainer = recordingDrainer();
    // The first claim takes k1 and u0..u3 and passes k2 (not yet the head of its key); the next
    // ones start after u3.
    assertEquals(5, drainer.drainOnce().claimed());
    assertTrue(handled.contains("k1"));
    drainUntilEmpty(drainer);

    assertTrue(handled.contains("k2"), "the key's second job was never claimed: " + handled);
    assertTrue(handled.indexOf("k1") < handled.indexOf("k2"));
    assertEquals(14, handled.size(), handled.toString());
    assertEquals(0, count(jobTable));
  }
}
