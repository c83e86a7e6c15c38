package dev.outbox.forward;

import static dev.outbox.forward.Fixtures.CODEC;
import static dev.outbox.forward.Fixtures.job;
import static dev.outbox.forward.Fixtures.welcomeEmails;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.OutboxException;
import dev.outbox.drain.Outcome;
import dev.outbox.forward.Fixtures.Attachment;
import dev.outbox.forward.Fixtures.ShopJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The event key is a secret: it shows up in no log line, toString or exception message. */
class EventKeySecrecyTest {
  private static final String KEY = "s3cr3t+key/with space";
  private static final String ENCODED = URLEncoder.encode(KEY, StandardCharsets.UTF_8);

  static {
    Fixtures.debugLogs();
  }

  private final List<String> texts = new ArrayList<>();

  @Test
  void theKeyAppearsInNoLogLineToStringOrMessageOnAnyPath() throws Exception {
    assertTrue(
        LoggerFactory.getLogger(InngestForwarder.class).isDebugEnabled(),
        "the forwarder's debug lines must be on for this test to see them");
    String logs = capturingStandardError(this::everyPathOnce);

    for (String path :
        List.of("DEBUG", "/e/****", "HTTP 503", "HTTP 400", "HTTP 401", "requestTimeout")) {
      assertTrue(logs.contains(path), () -> "no '" + path + "' line in: " + logs);
    }
    texts.add(logs);
    for (String text : texts) {
      assertFalse(text.contains(KEY), () -> "the key leaked into: " + text);
      assertFalse(text.contains(ENCODED), () -> "the encoded key leaked into: " + text);
      assertFalse(text.contains("s3cr3t"), () -> "part of the key leaked into: " + text);
    }
  }

  private void everyPathOnce() throws Exception {
    try (InngestTestServer server = InngestTestServer.start()) {
      String echo = "{\"error\":\"no route for POST /e/" + ENCODED + " (key " + KEY + ")\"}";
      var builder = forwarderTo(server);
      texts.add(builder.toString());
      InngestForwarder<ShopJob> forwarder = builder.build();
      texts.add(forwarder.toString());
      server.failNext(1, 503, echo).dropResponseToNext(1).delayNext(1, Duration.ofSeconds(3));
      for (int round = 0; round < 4; round++) {
        collect(forwarder.handle(welcomeEmails(1, 3)));
      }
      server.rejectEvents(
          event -> event.path("id").asText().equals(Fixtures.eventIdOf(2)), "bad: " + KEY);
      collect(forwarder.handle(welcomeEmails(1, 3)));
      collect(forwarder.handle(List.of(job(9, new Attachment("z".repeat(300_000))))));
      server.failNext(1, 401, echo);
      collect(forwarder.handle(welcomeEmails(4, 6)));
    }
    collect(
        forwarderTo(InngestTestServer.start())
            .baseUrl("http://127.0.0.1:1")
            .build()
            .handle(welcomeEmails(1, 1)));
    texts.add(refusal(InngestForwarder.builder(CODEC).eventKey(" " + KEY)));
    texts.add(refusal(InngestForwarder.builder(CODEC).eventKey(KEY).baseUrl("nope")));
  }

  private static InngestForwarderBuilder<ShopJob> forwarderTo(InngestTestServer server) {
    return Fixtures.forwarderTo(server).eventKey(KEY).requestTimeout(Duration.ofSeconds(1));
  }

  private void collect(Map<Long, Outcome> outcomes) {
    for (Outcome outcome : outcomes.values()) {
      texts.add(outcome.toString());
      if (outcome instanceof Outcome.Failed failed) {
        for (Throwable t = failed.cause(); t != null; t = t.getCause()) {
          texts.add(t.toString());
        }
      }
    }
  }

  private static String refusal(InngestForwarderBuilder<ShopJob> builder) {
    return assertThrows(OutboxException.Misconfigured.class, builder::build).getMessage();
  }

  private interface Action {
    void run() throws Exception;
  }

  private static String capturingStandardError(Action action) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    original.print(logs);
    return logs;
  }
}
