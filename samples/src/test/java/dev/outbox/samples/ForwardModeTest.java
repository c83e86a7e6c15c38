package dev.outbox.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.DrainReport;
import dev.outbox.forward.InngestForwarder;
import dev.outbox.forward.InngestTestServer;
import dev.outbox.forward.ReceivedEvent;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.samples.quickstart.ForwardMode;
import dev.outbox.samples.quickstart.ParsedJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ForwardModeTest {

  @Test
  void theForwardModeTurnsEachCommittedJobIntoOneEventAndTheRolledBackOneIntoNone()
      throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (InngestTestServer server = InngestTestServer.start();
        HikariDataSource dataSource = new HikariDataSource()) {
      dataSource.setJdbcUrl("jdbc:h2:mem:forward_mode;DB_CLOSE_DELAY=-1");
      JdbcOutbox<ParsedJob> outbox =
          JdbcOutbox.builder(dataSource, ParsedJob.class)
              .jobTable("fwd_job")
              .deadLetterTable("fwd_dead")
              .build();
      outbox.createSchemaIfMissing();
      InngestForwarder<ParsedJob> forwarder =
          InngestForwarder.builder(outbox.codec())
              .baseUrl(server.baseUrl())
              .eventKey("local-test-key")
              .namePrefix("quickstart/")
              .build();

      DrainReport totals =
          ForwardMode.run(
              dataSource,
              outbox,
              forwarder,
              new PrintStream(printed, true, StandardCharsets.UTF_8));

      Map<String, Integer> byName = new TreeMap<>();
      for (ReceivedEvent event : server.events()) {
        byName.merge(event.name(), 1, Integer::sum);
      }
      assertEquals(
          Map.of("quickstart/reticulate-splines", 2, "quickstart/send-client-login-link", 2),
          byName);
      assertEquals(4, server.triggeredRuns());
      assertEquals(4L, totals.counts().get("eventsSent"));
      String output = printed.toString(StandardCharsets.UTF_8);
      assertTrue(output.contains("Events sent: 4"), output);
      assertTrue(!output.contains("local-test-key"), "the event key is never printed: " + output);
    }
  }
}
