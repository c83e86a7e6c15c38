package dev.outbox.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.outbox.job.Job;
import io.vavr.control.Option;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KafkaRecordsTest {

  @Test
  void aKindBecomesAPrefixedTopicOfDashedWordsWithSlashesAsDots() {
    assertEquals("shop.send-welcome-email", KafkaRecords.defaultTopic("shop.", "SendWelcomeEmail"));
    assertEquals("db.users.created", KafkaRecords.defaultTopic("", "db/users.created"));
    assertEquals("a-b-c", KafkaRecords.defaultTopic("", "a b:c"));
  }

  @Test
  void theEventIdIsTheJobsOwnUnlessAnIdempotencyKeyNamesTheEvent() {
    Job<String> plain = job(1, "e-1", Option.none());
    Job<String> keyed = job(2, "e-2", Option.some("order-7-placed"));
    Job<String> keyedAgain = job(3, "e-3", Option.some("order-7-placed"));

    assertEquals("e-1", KafkaRecords.eventId(plain));
    assertEquals(KafkaRecords.eventId(keyed), KafkaRecords.eventId(keyedAgain));
    assertNotEquals("e-2", KafkaRecords.eventId(keyed));
  }

  private static Job<String> job(long id, String eventId, Option<String> key) {
    return new Job<>(id, eventId, "OrderPlaced", "x", 1, Instant.EPOCH, Option.none(), key);
  }
}
