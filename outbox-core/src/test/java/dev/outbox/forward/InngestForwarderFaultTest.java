package dev.outbox.forward;

import static dev.outbox.forward.Fixtures.count;
import static dev.outbox.forward.Fixtures.forwarderTo;
import static dev.outbox.forward.Fixtures.welcomeEmails;
import static dev.outbox.forward.Fixtures.welcomeId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Outcome;
import dev.outbox.forward.Fixtures.ShopJob;
import dev.outbox.job.Job;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The policy table: what each kind of trouble at the Event API does to the jobs. */
class InngestForwarderFaultTest {
  private final InngestTestServer server = InngestTestServer.start();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void afterADroppedResponseTheResentEventsCarryTheSameIdsAndTriggerOnce() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).build();
    List<Job<ShopJob>> jobs = welcomeEmails(1, 20);
    server.dropResponseToNext(1);

    Map<Long, Outcome> first = forwarder.handle(jobs);
    Map<Long, Outcome> second = forwarder.handle(jobs);

    assertEquals(20, count(first, Outcome.Failed.class), "a lost answer is a failure to retry");
    assertEquals(20, count(second, Outcome.Done.class));
    for (long id = 1; id <= 20; id++) {
      assertEquals(2, server.timesReceived(welcomeId(id)), "received twice: " + id);
    }
    assertEquals(20, server.triggeredRuns(), "each id triggers once");
    var requests = server.requests();
    assertEquals(2, requests.size());
    assertEquals(requests.get(0).seed(), requests.get(1).seed(), "the resend reuses the seed");
    var events = server.events();
    assertEquals(events.get(0).internalId(), events.get(20).internalId());
  }

  @Test
  void serverErrorsFailTheJobsForARetryWithBackoff() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).build();
    server.failNext(1).failNext(1, 429, "{\"error\":\"rate limited\"}");

    Map<Long, Outcome> afterFiveHundred = forwarder.handle(welcomeEmails(1, 5));
    Map<Long, Outcome> afterTooMany = forwarder.handle(welcomeEmails(1, 5));
    Map<Long, Outcome> recovered = forwarder.handle(welcomeEmails(1, 5));

    assertEquals(500, statusOf(afterFiveHundred.get(1L)));
    assertEquals(429, statusOf(afterTooMany.get(1L)));
    assertEquals(5, count(afterFiveHundred, Outcome.Failed.class));
    assertEquals(5, count(afterTooMany, Outcome.Failed.class));
    assertEquals(5, count(recovered, Outcome.Done.class));
    assertEquals(5, server.triggeredRuns());
    assertEquals(10, forwarder.stats().retries());
  }

  @Test
  void aResponseSlowerThanTheTimeoutFailsTheJobsForARetry() throws Exception {
    InngestForwarder<ShopJob> forwarder =
        forwarderTo(server).requestTimeout(Duration.ofMillis(200)).build();
    server.delayNext(1, Duration.ofSeconds(3));

    Map<Long, Outcome> timedOut = forwarder.handle(welcomeEmails(1, 3));
    Map<Long, Outcome> resent = forwarder.handle(welcomeEmails(1, 3));

    assertEquals(3, count(timedOut, Outcome.Failed.class));
    assertEquals(EventApiException.NO_STATUS, statusOf(timedOut.get(2L)));
    assertEquals(3, count(resent, Outcome.Done.class));
    assertEquals(3, server.triggeredRuns(), "the slow request's events count once");
  }

  @Test
  void anUnreachableServerFailsTheJobsForARetry() throws Exception {
    String base = server.baseUrl();
    server.close();
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).baseUrl(base).build();

    Map<Long, Outcome> outcomes = forwarder.handle(welcomeEmails(1, 3));

    assertEquals(3, count(outcomes, Outcome.Failed.class));
  }

  @Test
  void aTooLargeAnswerSplitsTheRequestAndEveryEventArrives() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).build();
    server.tooLargeNext(2);

    Map<Long, Outcome> outcomes = forwarder.handle(welcomeEmails(1, 40));

    assertEquals(40, count(outcomes, Outcome.Done.class));
    assertEquals(40, server.ids().size());
    assertEquals(2, forwarder.stats().splits());
  }

  @Test
  void aServerLimitBelowTheForwardersIsMetBySplitting() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).build();
    server.maxRequestBytes(2 * 1024);

    Map<Long, Outcome> outcomes = forwarder.handle(welcomeEmails(1, 100));

    assertEquals(100, count(outcomes, Outcome.Done.class));
    assertEquals(100, server.triggeredRuns());
    assertTrue(forwarder.stats().splits() > 0);
  }

  @Test
  void oneBadEventAmongManyIsDeadLetteredAloneWithTheServersErrorAndTheRestDelivered()
      throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).build();
    String badId = welcomeId(37);
    server.rejectEvents(event -> event.path("id").asText().equals(badId), "email is blocked");

    Map<Long, Outcome> outcomes = forwarder.handle(welcomeEmails(1, 50));

    assertEquals(49, count(outcomes, Outcome.Done.class));
    var buried = assertInstanceOf(Outcome.DeadLetterNow.class, outcomes.get(37L));
    assertEquals(DeadLetterReason.REJECTED_BY_DESTINATION, buried.reason());
    assertTrue(buried.why().contains("email is blocked"), buried.why());
    assertEquals(49, server.ids().size());
    assertEquals(0, server.timesReceived(badId));
    assertEquals(1, forwarder.stats().rejections());
  }

  @Test
  void aRefusedKeyPausesEveryJobWithoutUsingAnAttemptOrDeadLettering() throws Exception {
    server.requireKey("the-right-key");
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).build();

    Map<Long, Outcome> refused = forwarder.handle(welcomeEmails(1, 10));
    Map<Long, Outcome> duringPause = forwarder.handle(welcomeEmails(11, 15));

    assertEquals(10, count(refused, Outcome.RetryLater.class));
    var later = (Outcome.RetryLater) refused.get(1L);
    assertEquals(Duration.ofMinutes(5), later.delay());
    assertEquals(5, count(duringPause, Outcome.RetryLater.class));
    assertEquals(1, server.requests().size(), "no request while paused");
    assertEquals(0, server.events().size());
    assertEquals(15, forwarder.stats().pauses());
  }

  @Test
  void forbiddenAndNotFoundAreConfigurationErrorsToo() throws Exception {
    server.failNext(1, 403, "{\"error\":\"IP not allowed\"}").failNext(1, 404, "not found");
    InngestForwarder<ShopJob> first = forwarderTo(server).build();
    InngestForwarder<ShopJob> second = forwarderTo(server).build();

    assertEquals(3, count(first.handle(welcomeEmails(1, 3)), Outcome.RetryLater.class));
    assertEquals(3, count(second.handle(welcomeEmails(1, 3)), Outcome.RetryLater.class));
  }

  @Test
  void troubleStopsTheBatchAndFailsTheRequestsNotYetSent() throws Exception {
    InngestForwarder<ShopJob> forwarder = forwarderTo(server).maxEventsPerRequest(10).build();
    server.delayNext(1, Duration.ZERO).failNext(1);

    Map<Long, Outcome> outcomes = forwarder.handle(welcomeEmails(1, 30));

    assertEquals(10, count(outcomes, Outcome.Done.class));
    assertEquals(20, count(outcomes, Outcome.Failed.class));
    assertEquals(2, server.requests().size(), "the third request is not sent");
  }

  private static int statusOf(Outcome outcome) {
    var failed = assertInstanceOf(Outcome.Failed.class, outcome);
    return assertInstanceOf(EventApiException.class, failed.cause()).status();
  }
}
