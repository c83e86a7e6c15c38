package dev.outbox.forward;

import static dev.outbox.forward.Fixtures.EPOCH;
import static dev.outbox.forward.Fixtures.count;
import static dev.outbox.forward.Fixtures.forwarderTo;
import static dev.outbox.forward.Fixtures.job;
import static dev.outbox.forward.Fixtures.welcomeEmails;
import static io.vavr.control.Option.none;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.OutboxException;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Outcome;
import dev.outbox.forward.Fixtures.Attachment;
import dev.outbox.forward.Fixtures.ChargeCard;
import dev.outbox.forward.Fixtures.Nameless;
import dev.outbox.forward.Fixtures.Reserved;
import dev.outbox.forward.Fixtures.SendWelcomeEmail;
import dev.outbox.forward.Fixtures.ShopJob;
import dev.outbox.job.Job;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Events Inngest would refuse are dead-lettered before sending; the others still go. */
class InngestForwarderRejectionTest {
  private final InngestTestServer server = InngestTestServer.start();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anEventOverThePerEventLimitIsDeadLetteredUnsentWithItsSize() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).maxEventBytes(2048).build();
    List<Job<ShopJob>> jobs = welcomeEmails(1, 4);
    jobs.add(job(5, new Attachment("x".repeat(4000))));

    Map<Long, Outcome> outcomes = forwarder.handle(jobs);

    String why = rejected(outcomes.get(5L));
    assertTrue(why.matches(".* is 4[0-9]{3} bytes, over the per-event limit of 2048 bytes.*"), why);
    assertTrue(why.contains("maxEventBytes"), why);
    assertEquals(4, count(outcomes, Outcome.Done.class));
    assertEquals(4, server.events().size(), "the large event never left");
    assertEquals(1, forwarder.stats().rejections());
  }

  @Test
  void aReservedNameIsDeadLetteredUnsent() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).build();

    Map<Long, Outcome> outcomes =
        forwarder.handle(List.of(job(1, new Reserved(1)), job(2, new ChargeCard(2, 100))));

    assertTrue(rejected(outcomes.get(1L)).contains("inngest/"));
    assertEquals(Outcome.done(), outcomes.get(2L));
    assertEquals(1, server.events().size());
  }

  @Test
  void anEmptyNameIsDeadLetteredUnsent() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).namePrefix("").build();

    Map<Long, Outcome> outcomes = forwarder.handle(List.of(job(1, new Nameless(1))));

    assertTrue(rejected(outcomes.get(1L)).contains("empty"));
    assertEquals(0, server.requests().size());
  }

  @Test
  void aNameOverTwoHundredFiftySixCharactersIsDeadLetteredUnsent() throws Exception {
    String prefix = "a".repeat(60) + "/";
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).namePrefix(prefix).build();
    String longKind = "Send" + "Welcome".repeat(30); // 214 characters, a valid kind
    Job<ShopJob> job =
        new Job<>(
            1,
            Fixtures.eventIdOf(1),
            longKind,
            new SendWelcomeEmail(1, "x"),
            1,
            EPOCH,
            none(),
            none());

    Map<Long, Outcome> outcomes = forwarder.handle(List.of(job));

    assertTrue(rejected(outcomes.get(1L)).contains("at most 256"));
    assertEquals(0, server.requests().size());
  }

  @Test
  void dataThatIsNotAnObjectIsDeadLetteredUnsent() throws Exception {
    InngestForwarder<ShopJob> forwarder =
        forwarderTo(server).eventData(ChargeCard.class, card -> List.of(card.cents())).build();

    Map<Long, Outcome> outcomes = forwarder.handle(List.of(job(1, new ChargeCard(1, 100))));

    assertTrue(rejected(outcomes.get(1L)).contains("an array"));
    assertEquals(0, server.requests().size());
  }

  @Test
  void aMappedNameThatBreaksTheRulesIsRefusedWhenBuilding() {
    var builder = forwarderTo(server).eventName(ChargeCard.class, "inngest/charge");

    var refused = assertThrows(OutboxException.Misconfigured.class, builder::build);

    assertTrue(refused.getMessage().contains("eventName for kind 'ChargeCard'"));
  }

  @Test
  void aLoneEventTheServerFindsTooLargeIsDeadLetteredWithTheAdvice() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).build();
    server.maxRequestBytes(1024);
    List<Job<ShopJob>> jobs = List.of(job(1, new Attachment("y".repeat(2000))));

    Map<Long, Outcome> outcomes = forwarder.handle(jobs);

    String why = rejected(outcomes.get(1L));
    assertTrue(why.contains("413") && why.contains("maxEventBytes"), why);
    assertEquals(0, server.events().size());
  }

  private static String rejected(Outcome outcome) {
    var buried = assertInstanceOf(Outcome.DeadLetterNow.class, outcome);
    assertEquals(DeadLetterReason.REJECTED_BY_DESTINATION, buried.reason());
    return buried.why();
  }
}
