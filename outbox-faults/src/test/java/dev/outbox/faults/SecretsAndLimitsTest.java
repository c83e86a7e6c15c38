package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Backoff;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.drain.Outcome;
import dev.outbox.forward.InngestForwarder;
import dev.outbox.forward.InngestTestServer;
import dev.outbox.jdbc.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two promises that hold whatever happens: the event key never reaches the database or the logs,
 * even when the Event API echoes it back in its errors; and a drainer's connections are bounded by
 * its settings, not by the backlog. (EventKeySecrecyTest in outbox-core checks every log line,
 * toString and exception message of the forwarder itself.)
 */
class SecretsAndLimitsTest {
  private static final String KEY = "s3cr3t+key/with space";

  @Test
  void theEventKeyIsNeverStoredInErrorTextsNorLoggedEvenWhenTheApiEchoesIt() throws Exception {
    String encoded = URLEncoder.encode(KEY, StandardCharsets.UTF_8);
    String echo = "{\"error\":\"no route for POST /e/" + encoded + " (key " + KEY + ")\"}";
    List<String> stored = new ArrayList<>();
    String logs;
    try (ScenarioTables tables = ScenarioTables.create(TestDatabase.POSTGRESQL, 4);
        InngestTestServer server = InngestTestServer.start()) {
      tables.enqueueWork(6);
      server
          .failNext(1, 503, echo)
          .rejectEvents(event -> event.path("data").path("n").asLong() == 5, "bad: " + KEY);
      Drainer<FaultJob> drainer =
          tables
              .outbox
              .drainer()
              .backoff(Backoff.fixed(Duration.ZERO))
              .batchHandler(
                  InngestForwarder.builder(tables.outbox.codec())
                      .baseUrl(server.baseUrl())
                      .eventKey(KEY)
                      .maxEventsPerRequest(5)
                      .build())
              .build();
      logs =
          capturingStandardError(
              () -> {
                drainer.drainOnce(); // 503 with the key in its body: every job fails
                stored.addAll(texts(tables, "SELECT last_error FROM " + tables.jobTable()));
                drainer.drainOnce(); // delivered, but for job 5: refused with the key in the error
              });
      List<DeadLetter> letters = tables.deadLetters();
      letters.forEach(letter -> stored.add(letter.error()));
      assertEquals(1, letters.size());
      assertEquals(DeadLetterReason.REJECTED_BY_DESTINATION, letters.get(0).reason());
      assertTrue(letters.get(0).error().contains("bad: "), letters.get(0).error());
      assertEquals(6, stored.stream().filter(text -> text.contains("503")).count(), "retry texts");
      assertEquals(0, tables.pending());
    }
    stored.add(logs);
    for (String text : stored) {
      assertFalse(text.contains(KEY), () -> "the key leaked into: " + text);
      assertFalse(text.contains(encoded), () -> "the encoded key leaked into: " + text);
      assertFalse(text.contains("s3cr3t"), () -> "part of the key leaked into: " + text);
    }
  }

  @Test
  void aDrainerHoldsNoMoreConnectionsThanItsSettingsAllowWhateverTheBacklog() throws Exception {
    int jobs = 5_000;
    int concurrency = 4;
    Figures figures = Figures.of("connections under a backlog, POSTGRESQL");
    try (ScenarioTables tables = ScenarioTables.create(TestDatabase.POSTGRESQL, 4)) {
      tables.enqueueWork(jobs);
      HikariDataSource pool = tables.pool("drainer", 40);
      AtomicInteger peak = new AtomicInteger();
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler =
          new Thread(
              () -> {
                while (sampling.get()) {
                  peak.accumulateAndGet(
                      pool.getHikariPoolMXBean().getActiveConnections(), Math::max);
                  Thread.onSpinWait();
                }
              });
      sampler.start();
      DrainerBuilder<FaultJob> settings =
          tables
              .outboxOn(pool)
              .drainer()
              .concurrency(concurrency)
              .batchSize(1_000)
              .pollInterval(Duration.ofMillis(50))
              .transactionalHandler((job, tx) -> Outcome.done()); // each holds a connection
      try (Drainer<FaultJob> drainer = settings.build()) {
        drainer.start(); // and listens: one more connection on PostgreSQL
        Await.until(Duration.ofMinutes(2), "the backlog is drained", () -> tables.pending() == 0);
      } finally {
        sampling.set(false);
        sampler.join();
      }
      int bound = concurrency + 2; // handlers' transactions, claim or completion, the listener
      figures
          .put("backlog", jobs)
          .put("concurrency", concurrency)
          .put("pool size", 40)
          .put("peak connections in use", peak.get())
          .put("bound", bound)
          .print();
      assertTrue(peak.get() <= bound, "peak " + peak.get() + " over " + bound);
      assertEquals(0, tables.deadLettered());
    }
  }

  private static List<String> texts(ScenarioTables tables, String sql) throws Exception {
    List<String> texts = new ArrayList<>();
    try (Connection connection = tables.dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        texts.add(String.valueOf(rows.getString(1)));
      }
    }
    return texts;
  }

  private interface Action {
    void run() throws Exception;
  }

  /** Runs the action with standard error (where slf4j-simple logs) captured, and echoes it. */
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
