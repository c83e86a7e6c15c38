package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.Backoff;
import dev.outbox.forward.InngestForwarder;
import dev.outbox.forward.InngestTestServer;
import dev.outbox.forward.ReceivedEvent;
import dev.outbox.forward.ReceivedRequest;
import dev.outbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Scenario 6: drainers forward jobs to the test Event API through the Inngest forwarder while the
 * API answers a fraction of requests with 500 or 429, answers others too late (after accepting
 * their events), and drops the connection of others (after accepting their events). Every event
 * must arrive; an event may arrive more than once, but only ever under its own stable id, with the
 * same content, so that Inngest runs it once.
 */
class FlakyEventApiTest {
  private static final int JOBS = 3_000;
  private static final int FLAKY_REQUESTS = 200;
  private static final Duration TIMEOUT = Duration.ofMillis(300);

  @Test
  void everyEventArrivesThroughErrorsTimeoutsAndDroppedAnswersAndRepeatsKeepTheirId()
      throws Exception {
    long seed = System.nanoTime();
    Figures figures = Figures.of("6 flaky event API, POSTGRESQL (seed " + seed + ")");
    try (ScenarioTables tables = ScenarioTables.create(TestDatabase.POSTGRESQL, 4);
        InngestTestServer server = InngestTestServer.start()) {
      List<String> planned = injectFaults(server, new Random(seed));
      tables.enqueueWork(JOBS);
      InngestForwarder<FaultJob> forwarder =
          InngestForwarder.builder(tables.outbox.codec())
              .baseUrl(server.baseUrl())
              .eventKey("faults-event-key")
              .namePrefix("faults/")
              .requestTimeout(TIMEOUT)
              .maxEventsPerRequest(25)
              .build();
      try (DrainerFleet fleet =
          DrainerFleet.start(
              tables,
              3,
              4,
              drainer ->
                  drainer
                      .batchSize(50)
                      .maxAttempts(1_000)
                      .backoff(Backoff.fixed(Duration.ofMillis(50)))
                      .batchHandler(forwarder))) {
        fleet.awaitDrained(tables, Duration.ofMinutes(3));
      }
      List<ReceivedEvent> events = server.events();
      Map<String, List<ReceivedEvent>> byId =
          events.stream().collect(Collectors.groupingBy(e -> e.id().getOrElse("(no id)")));
      Map<Long, Set<String>> idsByNumber = new HashMap<>();
      long differingRepeats = 0;
      for (Map.Entry<String, List<ReceivedEvent>> entry : byId.entrySet()) {
        ReceivedEvent first = entry.getValue().get(0);
        for (ReceivedEvent repeat : entry.getValue()) {
          boolean same = repeat.name().equals(first.name()) && repeat.data().equals(first.data());
          differingRepeats += same ? 0 : 1;
          idsByNumber
              .computeIfAbsent(repeat.data().path("n").asLong(), n -> new java.util.TreeSet<>())
              .add(entry.getKey());
        }
      }
      long lost = LongStream.range(0, JOBS).filter(n -> !idsByNumber.containsKey(n)).count();
      figures
          .put("jobs", JOBS)
          .put("requests", server.requests().size())
          .put("faults met", faultsMet(planned, server.requests().size()))
          .put("answered", statuses(server.requests()))
          .put("events received", events.size())
          .put("distinct ids", byId.size())
          .put("lost", lost)
          .put("duplicated", events.size() - byId.size())
          .put("runs triggered", server.triggeredRuns())
          .put("dead-lettered", tables.deadLettered())
          .print();
      assertEquals(0, lost, "jobs whose event never arrived");
      assertEquals(JOBS, byId.size(), "one id per job");
      assertTrue(
          idsByNumber.values().stream().allMatch(ids -> ids.size() == 1),
          "a job's event always carries the same id");
      assertEquals(0, differingRepeats, "a repeat differs from the first arrival");
      assertEquals(JOBS, server.triggeredRuns(), "each event triggers one run");
      assertTrue(events.size() > JOBS, "the faults made the drainers resend");
      assertEquals(0, tables.deadLettered());
    }
  }

  /** Queues one answer per request for the first requests: a fault for about four in ten. */
  private static List<String> injectFaults(InngestTestServer server, Random random) {
    List<String> planned = new ArrayList<>();
    for (int i = 0; i < FLAKY_REQUESTS; i++) {
      int roll = random.nextInt(100);
      String fault;
      if (roll < 15) {
        server.failNext(1);
        fault = "500";
      } else if (roll < 20) {
        server.failNext(1, 429, "{\"error\":\"rate limited\",\"status\":429}");
        fault = "429";
      } else if (roll < 30) {
        server.delayNext(1, TIMEOUT.multipliedBy(4));
        fault = "late answer";
      } else if (roll < 40) {
        server.dropResponseToNext(1);
        fault = "dropped answer";
      } else {
        server.delayNext(1, Duration.ZERO); // answered at once
        fault = "none";
      }
      planned.add(fault);
    }
    return planned;
  }

  /** The faults of the requests that were made. */
  private static Map<String, Long> faultsMet(List<String> planned, int requests) {
    return planned.subList(0, Math.min(requests, planned.size())).stream()
        .filter(fault -> !fault.equals("none"))
        .collect(Collectors.groupingBy(fault -> fault, TreeMap::new, Collectors.counting()));
  }

  private static Map<String, Long> statuses(List<ReceivedRequest> requests) {
    return requests.stream()
        .collect(
            Collectors.groupingBy(
                r -> r.status() == ReceivedRequest.DROPPED ? "dropped" : "" + r.status(),
                TreeMap::new,
                Collectors.counting()));
  }
}
