package dev.outbox.forward;

import static dev.outbox.forward.Fixtures.EPOCH;
import static dev.outbox.forward.Fixtures.count;
import static dev.outbox.forward.Fixtures.forwarderTo;
import static dev.outbox.forward.Fixtures.job;
import static dev.outbox.forward.Fixtures.welcomeEmails;
import static dev.outbox.forward.Fixtures.welcomeId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.Outcome;
import dev.outbox.forward.Fixtures.ChargeCard;
import dev.outbox.forward.Fixtures.EntityChanged;
import dev.outbox.forward.Fixtures.SendWelcomeEmail;
import dev.outbox.forward.Fixtures.ShopJob;
import dev.outbox.forward.Fixtures.UserCreated;
import dev.outbox.job.Job;
import io.vavr.control.Option;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Jobs in, events out: mapping, batching and headers against a well-behaved Event API. */
class InngestForwarderDeliveryTest {
  private final InngestTestServer server = InngestTestServer.start();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void everyJobArrivesAsOneEventInOneRequest() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).build();

    Map<Long, Outcome> outcomes = forwarder.handle(welcomeEmails(1, 250));

    assertEquals(250, count(outcomes, Outcome.Done.class));
    assertEquals(1, server.requests().size());
    assertEquals(250, server.triggeredRuns());
    Set<String> expected =
        LongStream.rangeClosed(1, 250).mapToObj(Fixtures::welcomeId).collect(Collectors.toSet());
    assertEquals(expected, server.ids());
    assertEquals(new ForwarderStats(250, 1, 0, 0, 0, 0), forwarder.stats());
  }

  @Test
  void anEventCarriesTheDashedPrefixedNameTheJobAsDataItsEventIdAndCreationTime() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).build();

    forwarder.handle(List.of(job(42, new SendWelcomeEmail(7, "ada@example.com"))));

    ReceivedEvent event = server.events().get(0);
    assertEquals("shop/send-welcome-email", event.name());
    assertEquals(Option.some(Fixtures.eventIdOf(42)), event.id());
    assertEquals(Option.some(EPOCH.plusMillis(42).toEpochMilli()), event.ts());
    assertEquals(7, event.data().get("userId").asLong());
    assertEquals("ada@example.com", event.data().get("email").asText());
  }

  @Test
  void aJobWithAnIdempotencyKeySendsAnIdDerivedFromTheKeyAndTheEventName() throws Exception {
    InngestForwarder<ShopJob> forwarder =
        forwarderTo(server).eventName(ChargeCard.class, "billing/card.charged").build();
    Job<ShopJob> first = keyed(job(1, new SendWelcomeEmail(7, "a@example.com")), "signup-7");
    Job<ShopJob> again = keyed(job(2, new SendWelcomeEmail(7, "a@example.com")), "signup-7");
    Job<ShopJob> otherName = keyed(job(3, new ChargeCard(7, 100)), "signup-7");

    forwarder.handle(List.of(first, again, otherName));

    List<ReceivedEvent> events = server.events();
    assertEquals(events.get(0).id(), events.get(1).id());
    assertEquals(
        Option.some(dev.outbox.internal.EventIds.keyed("shop/send-welcome-email", "signup-7")),
        events.get(0).id());
    assertNotEquals(events.get(0).id(), events.get(2).id());
    assertEquals(2, server.triggeredRuns(), "the repeat of one key and name runs once");
  }

  private static Job<ShopJob> keyed(Job<ShopJob> job, String key) {
    return new Job<>(
        job.id(),
        job.eventId(),
        job.kind(),
        job.payload(),
        job.attempt(),
        job.createdAt(),
        job.orderingKey(),
        Option.some(key));
  }

  @Test
  void aKindThatIsAlreadyAnEventNameKeepsItWithoutThePrefix() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).build();

    forwarder.handle(List.of(job(5, new UserCreated(9, "Grace"))));

    ReceivedEvent event = server.events().get(0);
    assertEquals("db/users.created", event.name());
    assertEquals(Option.some(Fixtures.eventIdOf(5)), event.id());
  }

  @Test
  void aFamilyOfChangeEventKindsKeepsEachKindAsItsNameAndSharesTheDataMapping() throws Exception {
    InngestForwarder<ShopJob> forwarder =
        forwarderTo(server)
            .eventData(EntityChanged.class, change -> Map.of("id", change.rowId()))
            .build();

    forwarder.handle(
        List.of(
            job(1, new EntityChanged("db/orders.deleted", "orders", 17)),
            job(2, new EntityChanged("db/users.updated", "users", 4))));

    List<ReceivedEvent> events = server.events();
    assertEquals("db/orders.deleted", events.get(0).name());
    assertEquals("db/users.updated", events.get(1).name());
    assertEquals(Option.some(Fixtures.eventIdOf(2)), events.get(1).id());
    assertEquals(4, events.get(1).data().get("id").asLong());
  }

  @Test
  void aKindCanBeMappedToItsOwnNameAndData() throws Exception {
    InngestForwarder<ShopJob> forwarder =
        forwarderTo(server)
            .eventName(ChargeCard.class, "billing/card.charged")
            .eventData(ChargeCard.class, card -> Map.of("amount", card.cents() / 100.0))
            .build();

    forwarder.handle(List.of(job(3, new ChargeCard(11, 1250))));

    ReceivedEvent event = server.events().get(0);
    assertEquals("billing/card.charged", event.name());
    assertEquals(Option.some(Fixtures.eventIdOf(3)), event.id());
    assertEquals(12.5, event.data().get("amount").asDouble());
  }

  @Test
  void noRequestExceedsTheByteOrCountLimitsAndEveryEventArrives() throws Exception {
    int maxBytes = 4 * 1024;
    InngestForwarder<ShopJob> forwarder =
        forwarderTo(server).maxRequestBytes(maxBytes).maxEventsPerRequest(7).build();
    List<Job<ShopJob>> jobs = welcomeEmails(1, 100);
    jobs.add(job(101, new Fixtures.Attachment("x".repeat(3 * 1024))));
    jobs.addAll(welcomeEmails(102, 120));

    Map<Long, Outcome> outcomes = forwarder.handle(jobs);

    assertEquals(120, count(outcomes, Outcome.Done.class));
    assertEquals(120, server.triggeredRuns());
    List<ReceivedRequest> requests = server.requests();
    assertTrue(requests.size() >= 18, "100 + 19 small events at 7 a request: " + requests.size());
    for (ReceivedRequest request : requests) {
      assertTrue(request.bytes() <= maxBytes, "request of " + request.bytes() + " bytes");
      assertTrue(request.events() <= 7, "request of " + request.events() + " events");
    }
  }

  @Test
  void everyRequestCarriesAWellFormedSeedThatDependsOnItsEvents() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).build();

    forwarder.handle(welcomeEmails(1, 3));
    forwarder.handle(welcomeEmails(1, 3));
    forwarder.handle(welcomeEmails(1, 4));

    List<ReceivedRequest> requests = server.requests();
    String seed = requests.get(0).seed().get();
    assertTrue(seed.matches("\\d+,[A-Za-z0-9+/]{14}=="), seed);
    assertEquals(EPOCH.plusMillis(1).toEpochMilli() + "", seed.split(",")[0]);
    assertEquals(seed, requests.get(1).seed().get());
    assertTrue(!seed.equals(requests.get(2).seed().get()));
  }

  @Test
  void theEnvironmentBranchIsSentAsAHeaderAndTheKeyInThePath() throws Exception {
    server.requireKey(Fixtures.KEY);
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).env("feature-x").build();

    Map<Long, Outcome> outcomes = forwarder.handle(welcomeEmails(1, 1));

    assertEquals(Outcome.done(), outcomes.get(1L));
    assertEquals(Option.some("feature-x"), server.requests().get(0).env());
    assertEquals(Option.some(welcomeId(1)), server.events().get(0).id());
  }

  @Test
  void aKeyWithCharactersThatNeedEncodingReachesTheServerIntact() throws Exception {
    String key = "key with/slash+plus";
    server.requireKey(key);
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).eventKey(key).build();

    Map<Long, Outcome> outcomes = forwarder.handle(welcomeEmails(1, 2));

    assertEquals(2, count(outcomes, Outcome.Done.class));
  }
}
