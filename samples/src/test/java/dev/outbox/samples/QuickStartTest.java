package dev.outbox.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.samples.quickstart.QuickStart;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuickStartTest {

  @Test
  void theQuickStartSendsOneLoginLinkAndDeadLettersTheRestForTheRightReasons() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    QuickStart.Summary summary;
    try (HikariDataSource dataSource = new HikariDataSource()) {
      dataSource.setJdbcUrl("jdbc:h2:mem:quickstart_test;DB_CLOSE_DELAY=-1");
      summary = QuickStart.run(dataSource, new PrintStream(printed, true, StandardCharsets.UTF_8));
    }
    assertEquals(1, summary.loginLinksRecorded(), "login_link_sent_at set exactly once");
    assertEquals(0, summary.pendingJobs());
    List<DeadLetter> letters = summary.deadLetters();
    assertEquals(2, letters.size());
    assertEquals("ReticulateSplines", letters.get(0).kind());
    assertEquals(DeadLetterReason.RETRIES_EXHAUSTED, letters.get(0).reason());
    assertEquals(3, letters.get(0).attempts());
    assertEquals(DeadLetterReason.UNPARSEABLE, letters.get(1).reason());
    String output = printed.toString(StandardCharsets.UTF_8);
    assertTrue(output.contains("Sent a login link to client 1"), output);
    assertTrue(output.contains("rolled back: 1 client(s) and 2 job(s) remain"), output);
  }
}
