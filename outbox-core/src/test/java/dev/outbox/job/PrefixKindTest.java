package dev.outbox.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.OutboxException;
import io.vavr.control.Option;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code @JobKind(value = ..., prefix = true)}: one leaf receives a family of kinds. */
class PrefixKindTest {

  sealed interface Shop {}

  record SendWelcomeEmail(long userId) implements Shop {}

  @JobKind(value = "db/", prefix = true)
  record EntityChanged(
      String kind, String table, String id, Map<String, Object> state, List<String> changed)
      implements Shop {}

  @JobKind(value = "db/orders.", prefix = true)
  record OrderChanged(String kind, String id) implements Shop {}

  @JobKind("db/users.purged")
  record UsersPurged(int count) implements Shop {}

  sealed interface NoKindComponent {}

  @JobKind(value = "db/", prefix = true)
  record Changed(String table) implements NoKindComponent {}

  sealed interface SamePrefix {}

  @JobKind(value = "db/", prefix = true)
  record A(String kind) implements SamePrefix {}

  @JobKind(value = "db/", prefix = true)
  record B(String kind) implements SamePrefix {}

  private final JobCodec<Shop> codec = JobCodec.of(Shop.class);

  private static EntityChanged changed(String kind) {
    return new EntityChanged(kind, "users", "7", Map.of("email", "ada@example.com"), List.of());
  }

  @Test
  void aPrefixLeafReceivesEveryKindStartingWithItsPrefix() {
    Shop parsed =
        codec.parse("db/users.created", "{\"table\":\"users\",\"id\":\"7\",\"state\":{}}").get();
    EntityChanged event = assertInstanceOf(EntityChanged.class, parsed);
    assertEquals("db/users.created", event.kind());
    assertEquals("7", event.id());
    assertEquals(Option.of(EntityChanged.class), codec.typeOf("db/invoices.deleted"));
  }

  @Test
  void theRowsKindWinsOverTheKindInThePayload() {
    Shop parsed = codec.parse("db/users.deleted", "{\"kind\":\"db/users.created\"}").get();
    assertEquals("db/users.deleted", ((EntityChanged) parsed).kind());
  }

  @Test
  void encodingStoresTheJobsOwnKindAndItComesBackUnchanged() {
    JobCodec.Encoded encoded = codec.encode(changed("db/users.updated"));
    assertEquals("db/users.updated", encoded.kind());
    assertEquals(changed("db/users.updated"), codec.parse(encoded.kind(), encoded.payload()).get());
  }

  @Test
  void anExactKindWinsOverAPrefixAndTheLongestPrefixWinsOverAShorterOne() {
    assertEquals(Option.of(UsersPurged.class), codec.typeOf("db/users.purged"));
    assertEquals(Option.of(OrderChanged.class), codec.typeOf("db/orders.created"));
    assertEquals(Option.of(EntityChanged.class), codec.typeOf("db/ordersx.created"));
    assertInstanceOf(OrderChanged.class, codec.parse("db/orders.deleted", "{\"id\":\"1\"}").get());
  }

  @Test
  void settingsPerLeafTypeFindTheDeclaredKindOfALongerKind() {
    assertEquals(Option.of("db/"), codec.kindOf(EntityChanged.class));
    assertEquals(Option.of("db/"), codec.declaredKind("db/users.created"));
    assertEquals(Option.of("db/orders."), codec.declaredKind("db/orders.created"));
    assertEquals(Option.of("SendWelcomeEmail"), codec.declaredKind("SendWelcomeEmail"));
    assertEquals(Option.none(), codec.declaredKind("nope"));
    assertTrue(codec.kinds().contains("db/"));
  }

  @Test
  void kindsWithoutAMatchingPrefixAreStillUnknown() {
    ParseError error = codec.parse("dbx/users.created", "{}").getLeft();
    assertInstanceOf(ParseError.UnknownKind.class, error);
  }

  @Test
  void aKindOutsideThePrefixIsRefusedAtEnqueue() {
    var refused =
        assertThrows(
            OutboxException.EnqueueRefused.class, () -> codec.encode(changed("users.created")));
    assertTrue(refused.getMessage().contains("does not start with 'db/'"), refused.getMessage());
  }

  @Test
  void aMissingOrInvalidKindIsRefusedAtEnqueue() {
    assertThrows(OutboxException.EnqueueRefused.class, () -> codec.encode(changed(null)));
    var refused =
        assertThrows(
            OutboxException.EnqueueRefused.class, () -> codec.encode(changed("db/has space")));
    assertTrue(refused.getMessage().contains("not a valid kind name"), refused.getMessage());
  }

  @Test
  void aKindThatBelongsToAnotherLeafIsRefusedAtEnqueue() {
    var refused =
        assertThrows(
            OutboxException.EnqueueRefused.class, () -> codec.encode(changed("db/orders.created")));
    assertTrue(refused.getMessage().contains("belongs to OrderChanged"), refused.getMessage());
    assertThrows(
        OutboxException.EnqueueRefused.class, () -> codec.encode(changed("db/users.purged")));
  }

  @Test
  void aPrefixPayloadThatIsNotAJsonObjectIsAWrongShape() {
    ParseError error = codec.parse("db/users.created", "[1,2]").getLeft();
    assertInstanceOf(ParseError.WrongShape.class, error);
    assertTrue(error.describe().contains("JSON object"), error.describe());
    assertInstanceOf(
        ParseError.WrongShape.class, codec.parse("db/users.created", "null").getLeft());
  }

  @Test
  void aMalformedPrefixPayloadIsMalformedJson() {
    assertInstanceOf(
        ParseError.MalformedJson.class, codec.parse("db/users.created", "{\"id\":").getLeft());
    assertInstanceOf(
        ParseError.MalformedJson.class, codec.parse("db/users.created", "{} trailing").getLeft());
  }

  @Test
  void aPrefixPayloadOfTheWrongTypeIsAWrongShapeWithItsPath() {
    ParseError error = codec.parse("db/users.created", "{\"changed\":{\"a\":1}}").getLeft();
    assertEquals("$.changed", ((ParseError.WrongShape) error).path());
  }

  @Test
  void aPrefixLeafWithoutAStringKindComponentIsRefused() {
    var error =
        assertThrows(OutboxException.Misconfigured.class, () -> JobCodec.of(NoKindComponent.class));
    assertTrue(error.getMessage().contains("String component named 'kind'"), error.getMessage());
  }

  @Test
  void twoLeavesWithTheSamePrefixAreRefused() {
    var error =
        assertThrows(OutboxException.Misconfigured.class, () -> JobCodec.of(SamePrefix.class));
    assertTrue(error.getMessage().contains("'db/'"), error.getMessage());
  }
}
