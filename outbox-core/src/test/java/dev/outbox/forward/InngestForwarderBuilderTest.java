package dev.outbox.forward;

import static dev.outbox.forward.Fixtures.CODEC;
import static dev.outbox.forward.Fixtures.KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.OutboxException;
import dev.outbox.drain.Outcome;
import dev.outbox.forward.Fixtures.ShopJob;
import io.vavr.control.Option;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Settings from code and from the environment, checked once with messages that name them. */
class InngestForwarderBuilderTest {

  @Test
  void cloudIsTheDefaultAndNeedsAKey() {
    var refused =
        assertThrows(
            OutboxException.Misconfigured.class, () -> InngestForwarder.builder(CODEC).build());

    assertTrue(refused.getMessage().contains("INNGEST_EVENT_KEY"), refused.getMessage());
    String built = InngestForwarder.builder(CODEC).eventKey(KEY).build().toString();
    assertTrue(built.contains("endpoint=https://inn.gs/e/****"), built);
  }

  @Test
  void devModeFromTheEnvironmentUsesTheLocalDevServerAndAnyKey() {
    var forwarder = fromEnv(Map.of("INNGEST_DEV", "1")).build();

    assertTrue(forwarder.toString().contains("endpoint=http://localhost:8288/e/****"));
  }

  @Test
  void devModeMayNameTheDevServersUrl() {
    var forwarder = fromEnv(Map.of("INNGEST_DEV", "http://inngest:8288/")).build();

    assertTrue(forwarder.toString().contains("endpoint=http://inngest:8288/e/****"));
  }

  @Test
  void devModeOffMeansCloudAndAKeyIsNeeded() {
    var builder = fromEnv(Map.of("INNGEST_DEV", "false"));

    assertThrows(OutboxException.Misconfigured.class, builder::build);
  }

  @Test
  void anUnreadableDevSettingIsRefusedWithItsValue() {
    var refused =
        assertThrows(
            OutboxException.Misconfigured.class, () -> fromEnv(Map.of("INNGEST_DEV", "maybe")));

    assertEquals(
        "INNGEST_DEV must be 1, true, 0, false or the dev server's URL, was 'maybe'",
        refused.getMessage());
  }

  @Test
  void theEventApiBaseUrlWinsOverTheGeneralBaseUrl() {
    var env =
        Map.of(
            "INNGEST_BASE_URL", "http://general:8288",
            "INNGEST_EVENT_API_BASE_URL", "https://events.example.com/",
            "INNGEST_EVENT_KEY", KEY);

    String built = fromEnv(env).build().toString();

    assertTrue(built.contains("endpoint=https://events.example.com/e/****"), built);
  }

  @Test
  void theKeyAndEnvironmentComeFromTheEnvironmentAndReachTheServer() throws Exception {
    try (InngestTestServer server = InngestTestServer.start()) {
      server.requireKey(KEY);
      var env =
          Map.of(
              "INNGEST_BASE_URL",
              server.baseUrl(),
              "INNGEST_EVENT_KEY",
              KEY,
              "INNGEST_ENV",
              "branch-7",
              "INNGEST_DEV",
              " ");

      Map<Long, Outcome> outcomes = fromEnv(env).build().handle(Fixtures.welcomeEmails(1, 1));

      assertEquals(Outcome.done(), outcomes.get(1L));
      assertEquals(Option.some("branch-7"), server.requests().get(0).env());
    }
  }

  @Test
  void settingsInCodeAfterTheEnvironmentWin() {
    var builder =
        fromEnv(Map.of("INNGEST_DEV", "1", "INNGEST_BASE_URL", "http://a:1")).baseUrl("http://b:2");

    assertTrue(builder.build().toString().contains("http://b:2/e/****"));
  }

  @Test
  void badSettingsAreRefusedNamingTheSettingAndValue() {
    assertRefused(
        b -> b.maxEventsPerRequest(5001),
        "maxEventsPerRequest must be between 1 and 5000, was 5001");
    assertRefused(
        b -> b.maxEventsPerRequest(0), "maxEventsPerRequest must be between 1 and 5000, was 0");
    assertRefused(
        b -> b.maxRequestBytes(10), "maxRequestBytes must be between 1024 and 67108864, was 10");
    assertRefused(
        b -> b.maxRequestBytes(4096).maxEventBytes(4095),
        "maxEventBytes must be between 1 and maxRequestBytes - 2 (4094: an event must fit in a request), was 4095");
    assertRefused(
        b -> b.requestTimeout(Duration.ZERO), "requestTimeout must be positive, was PT0S");
    assertRefused(
        b -> b.misconfigurationPause(Duration.ofSeconds(-1)),
        "misconfigurationPause must be positive, was PT-1S");
    assertRefused(
        b -> b.baseUrl("ftp://inn.gs"),
        "baseUrl must be an http or https URL without query or fragment, such as https://inn.gs, was 'ftp://inn.gs'");
    assertRefused(
        b -> b.namePrefix("inngest/"),
        "namePrefix must not start with 'inngest/' (reserved by Inngest), was 'inngest/'");
    assertRefused(b -> b.env(" "), "env must be a non-blank header value, was ' '");
  }

  @Test
  void aLoweredRequestLimitLowersTheDefaultEventLimitWithIt() {
    String built =
        InngestForwarder.builder(CODEC).eventKey(KEY).maxRequestBytes(2048).build().toString();

    assertTrue(built.contains("maxEventBytes=2046"), built);
  }

  private static InngestForwarderBuilder<ShopJob> fromEnv(Map<String, String> env) {
    return InngestForwarder.builder(CODEC).fromEnvironment(env);
  }

  private static void assertRefused(
      UnaryOperator<InngestForwarderBuilder<ShopJob>> setting, String message) {
    var builder = setting.apply(InngestForwarder.builder(CODEC).eventKey(KEY));
    var refused = assertThrows(OutboxException.Misconfigured.class, builder::build);
    assertEquals(message, refused.getMessage());
  }
}
