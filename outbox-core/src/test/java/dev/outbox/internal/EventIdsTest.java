package dev.outbox.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class EventIdsTest {

  @Test
  void aFreshIdIsAVersion7UuidCarryingTheMillisecondItWasMadeIn() {
    long before = System.currentTimeMillis();
    UUID id = UUID.fromString(EventIds.next());
    long after = System.currentTimeMillis();

    assertEquals(7, id.version());
    assertEquals(2, id.variant());
    long millis = id.getMostSignificantBits() >>> 16;
    assertTrue(
        millis >= before && millis <= after, millis + " not in [" + before + ", " + after + "]");
  }

  @Test
  void idsOfLaterMillisecondsSortAfterEarlierOnes() {
    String earlier = EventIds.next(1_700_000_000_000L).toString();
    String later = EventIds.next(1_700_000_000_001L).toString();

    assertTrue(earlier.compareTo(later) < 0, earlier + " should sort before " + later);
  }

  @Test
  void aHundredThousandIdsMadeOnEightThreadsAreAllDistinct() throws Exception {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        done.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < 12_500; i++) {
                    ids.add(EventIds.next());
                  }
                }));
      }
      for (Future<?> each : done) {
        each.get();
      }
    } finally {
      threads.shutdown();
    }
    assertEquals(100_000, ids.size());
  }

  @Test
  void aKeyedIdIsTheSameForTheSameKeyAndNameAndDiffersWhenEitherDiffers() {
    String id = EventIds.keyed("shop/order.placed", "order-17");

    assertEquals(id, EventIds.keyed("shop/order.placed", "order-17"));
    assertNotEquals(id, EventIds.keyed("shop/order.shipped", "order-17"));
    assertNotEquals(id, EventIds.keyed("shop/order.placed", "order-18"));
    assertNotEquals(EventIds.keyed("ab", "c"), EventIds.keyed("a", "bc"));
    assertEquals(8, UUID.fromString(id).version());
  }
}
