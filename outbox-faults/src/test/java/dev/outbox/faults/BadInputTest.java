package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.Backoff;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.internal.ErrorText;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad input from handlers is recorded safely: whatever a failure's text holds (megabytes, a deep
 * cause chain, characters a database refuses), the job is retried and dead-lettered with a bounded
 * error text. (Identifier injection, arbitrary class names in rows and the payload size limit are
 * covered by the contract tests in outbox-jdbc; see RELIABILITY.md.)
 */
class BadInputTest {
  private static final String HUGE = "x".repeat(2_000_000) + "🙂".repeat(100_000);

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void errorTextsOfAnySizeAreStoredCutToTheirBound(TestDatabase database) throws Exception {
    try (ScenarioTables tables = ScenarioTables.create(database, 4)) {
      tables.enqueueWork(3);
      Drainer<FaultJob> drainer =
          tables
              .outbox
              .drainer()
              .maxAttempts(2)
              .backoff(Backoff.fixed(Duration.ZERO))
              .handler(
                  job ->
                      switch ((int) job.payload().n()) {
                        case 0 -> throw new IllegalStateException(HUGE);
                        case 1 -> Outcome.deadLetter(HUGE);
                        default -> throw deepCauses(500);
                      })
              .build();
      DrainReport first = drainer.drainOnce();
      List<String> retryTexts = lastErrors(tables);
      DrainReport second = drainer.drainOnce();
      List<DeadLetter> letters = tables.deadLetters();

      assertEquals(2, first.retried(), "failures retried");
      assertEquals(1, first.deadLettered(), "the dead-letter-now");
      assertEquals(2, second.deadLettered(), "attempts exhausted");
      assertEquals(2, retryTexts.size());
      List<String> texts = new ArrayList<>(retryTexts);
      letters.forEach(letter -> texts.add(letter.error()));
      for (String text : texts) {
        assertTrue(text.length() <= ErrorText.MAX_LENGTH, "stored " + text.length() + " chars");
        assertTrue(text.contains("[cut, "), "marked as cut: " + text.substring(0, 100));
      }
      assertEquals(3, letters.size());
      assertTrue(
          letters.stream()
              .map(DeadLetter::reason)
              .allMatch(
                  r ->
                      r == DeadLetterReason.RETRIES_EXHAUSTED
                          || r == DeadLetterReason.NON_RETRYABLE));
      assertEquals(0, tables.pending());
    }
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(TestDatabase.class)
  void anErrorTextHoldingANulCharacterIsStillRecorded(TestDatabase database) throws Exception {
    try (ScenarioTables tables = ScenarioTables.create(database, 4)) {
      tables.enqueueWork(2);
      Drainer<FaultJob> drainer =
          tables
              .outbox
              .drainer()
              .maxAttempts(2)
              .backoff(Backoff.fixed(Duration.ZERO))
              .handler(
                  job -> {
                    if (job.payload().n() == 0) {
                      throw new IllegalStateException("read \u0000 from the device");
                    }
                    return Outcome.deadLetter("refused \u0000 byte");
                  })
              .build();
      DrainReport first = drainer.drainOnce();
      List<String> retryTexts = lastErrors(tables);
      DrainReport second = drainer.drainOnce();
      List<DeadLetter> letters = tables.deadLetters();

      assertEquals(1, first.retried());
      assertEquals(1, first.deadLettered());
      assertEquals(1, second.deadLettered());
      assertEquals(1, retryTexts.size());
      assertTrue(retryTexts.get(0).contains("IllegalStateException: read "), retryTexts.get(0));
      assertEquals(2, letters.size());
      for (DeadLetter letter : letters) {
        assertFalse(letter.error().contains("\u0000"), "stored as given: " + letter.error());
      }
      assertEquals(0, tables.pending());
    }
  }

  private static RuntimeException deepCauses(int depth) {
    RuntimeException error = new RuntimeException("root " + "y".repeat(10_000));
    for (int i = 0; i < depth; i++) {
      error = new RuntimeException("level " + i + " " + "z".repeat(10_000), error);
    }
    return error;
  }

  private static List<String> lastErrors(ScenarioTables tables) throws Exception {
    List<String> texts = new ArrayList<>();
    try (Connection connection = tables.dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT last_error FROM "
                    + tables.jobTable()
                    + " WHERE last_error IS NOT NULL ORDER BY id");
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        texts.add(rows.getString(1));
      }
    }
    return texts;
  }
}
