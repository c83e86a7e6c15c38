package dev.outbox.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.samples.hibernate.HibernateSample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HibernateSampleTest {

  @Test
  void theHibernateSampleWelcomesAdaFromHerChangeEventAndBobsFailedSignupProducesNone()
      throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    HibernateSample.Summary summary;
    try (HikariDataSource dataSource = new HikariDataSource()) {
      dataSource.setJdbcUrl("jdbc:h2:mem:hibernate_sample_test;DB_CLOSE_DELAY=-1");
      summary =
          HibernateSample.run(dataSource, new PrintStream(printed, true, StandardCharsets.UTF_8));
    }
    assertEquals(
        List.of("db/users.created", "db/users.updated", "db/users.deleted"), summary.handled());
    assertEquals(0, summary.users());
    assertEquals(0, summary.pendingJobs());
    String output = printed.toString(StandardCharsets.UTF_8);
    assertTrue(output.contains("Welcome email to ada@example.com"), output);
    assertTrue(output.contains("changed [email], was {email=ada@example.com}"), output);
    assertTrue(output.contains("farewell email to ada@lovelace.org"), output);
    assertTrue(output.contains("Signup of bob@example.com failed"), output);
    assertTrue(!output.contains("Welcome email to bob"), output);
  }
}
