package dev.outbox.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import dev.outbox.OutboxException;
import io.vavr.control.Either;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobCodecTest {

  sealed interface Shop {}

  record SendWelcomeEmail(long userId) implements Shop {}

  @JobKind("charge-card")
  record ChargeCard(long orderId, List<String> items) implements Shop {}

  sealed interface Billing extends Shop {}

  record Refund(long orderId) implements Billing {}

  interface NotSealed {}

  sealed interface Clash {}

  @JobKind("same")
  record First(int a) implements Clash {}

  @JobKind("same")
  record Second(int b) implements Clash {}

  sealed interface BadName {}

  @JobKind("has space")
  record Spaced(int a) implements BadName {}

  sealed interface Unreadable {}

  static final class NoCreator implements Unreadable {
    private final int value;

    NoCreator(int value, int other) {
      this.value = value + other;
    }

    public int getValue() {
      return value;
    }
  }

  sealed interface Valid {}

  record Positive(int n) implements Valid {
    Positive {
      if (n <= 0) {
        throw new IllegalArgumentException("n must be positive");
      }
    }
  }

  private final JobCodec<Shop> codec = JobCodec.of(Shop.class);

  @Test
  void discoversEveryLeafIncludingNestedSealedInterfacesWithStableKinds() {
    assertEquals(List.of("SendWelcomeEmail", "charge-card", "Refund"), List.copyOf(codec.kinds()));
    assertEquals("charge-card", codec.kindOf(ChargeCard.class).get());
  }

  @Test
  void encodesAndParsesBackToTheSameRecord() {
    ChargeCard charge = new ChargeCard(7, List.of("a", "b"));
    JobCodec.Encoded encoded = codec.encode(charge);
    assertEquals("charge-card", encoded.kind());
    assertEquals(Either.right(charge), codec.parse(encoded.kind(), encoded.payload()));
  }

  @Test
  void aRootThatIsNotSealedIsRefusedWithAMessageSayingHowToFixIt() {
    var error =
        assertThrows(OutboxException.Misconfigured.class, () -> JobCodec.of(NotSealed.class));
    assertTrue(error.getMessage().contains("is not sealed"), error.getMessage());
    assertTrue(
        error.getMessage().contains("sealed interface NotSealed permits"), error.getMessage());
  }

  @Test
  void twoLeavesWithTheSameKindAreRefused() {
    var error = assertThrows(OutboxException.Misconfigured.class, () -> JobCodec.of(Clash.class));
    assertTrue(
        error.getMessage().contains("two job types have the kind 'same'"), error.getMessage());
  }

  @Test
  void anInvalidKindNameIsRefused() {
    var error = assertThrows(OutboxException.Misconfigured.class, () -> JobCodec.of(BadName.class));
    assertTrue(error.getMessage().contains("'has space'"), error.getMessage());
  }

  @Test
  void aLeafJacksonCannotDeserializeIsRefusedAtBuildTime() {
    var error =
        assertThrows(OutboxException.Misconfigured.class, () -> JobCodec.of(Unreadable.class));
    assertTrue(error.getMessage().contains("cannot be deserialized"), error.getMessage());
  }

  @Test
  void aMapperWithDefaultTypingIsRefused() {
    ObjectMapper typed = new ObjectMapper();
    typed.activateDefaultTyping(
        BasicPolymorphicTypeValidator.builder().allowIfBaseType(Object.class).build());
    var error =
        assertThrows(OutboxException.Misconfigured.class, () -> JobCodec.of(Shop.class, typed));
    assertTrue(error.getMessage().contains("default typing"), error.getMessage());
  }

  @Test
  void anUnknownKindIsAValueNamingTheKnownKinds() {
    var parsed = codec.parse("java.lang.Runtime", "{}");
    var unknown = assertInstanceOf(ParseError.UnknownKind.class, parsed.getLeft());
    assertEquals(Set.of("SendWelcomeEmail", "charge-card", "Refund"), unknown.knownKinds());
  }

  @Test
  void aPayloadCanNeverNameTheClassItBecomes() {
    var parsed =
        codec.parse("SendWelcomeEmail", "{\"@class\":\"java.lang.ProcessBuilder\",\"userId\":1}");
    assertEquals(Either.right(new SendWelcomeEmail(1)), parsed);
  }

  @Test
  void brokenJsonIsAMalformedJsonErrorWithItsLocation() {
    var error =
        assertInstanceOf(
            ParseError.MalformedJson.class, codec.parse("Refund", "{\"orderId\": ").getLeft());
    assertTrue(error.location().startsWith("line 1"), error.location());
  }

  @Test
  void aWrongTypeIsAWrongShapeErrorWithTheJsonPath() {
    var error =
        assertInstanceOf(
            ParseError.WrongShape.class,
            codec.parse("charge-card", "{\"orderId\":1,\"items\":[\"a\",{\"x\":1}]}").getLeft());
    assertEquals("$.items[1]", error.path());
  }

  @Test
  void aMissingPrimitiveJsonNullAndTrailingGarbageAreWrongShapesNotCrashes() {
    assertInstanceOf(ParseError.WrongShape.class, codec.parse("Refund", "{}").getLeft());
    assertInstanceOf(ParseError.WrongShape.class, codec.parse("Refund", "null").getLeft());
    assertTrue(codec.parse("Refund", "{\"orderId\":1} {}").isLeft());
    assertTrue(codec.parse("Refund", null).isLeft());
    assertTrue(codec.parse(null, "{}").isLeft());
  }

  @Test
  void aConstructorThatRejectsTheValuesIsAParseErrorNotAnException() {
    var parsed = JobCodec.of(Valid.class).parse("Positive", "{\"n\":-1}");
    var error = assertInstanceOf(ParseError.WrongShape.class, parsed.getLeft());
    assertTrue(error.message().contains("n must be positive"), error.message());
  }

  @Test
  void encodingSomethingThatIsNotALeafIsRefused() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    JobCodec<Object> raw = (JobCodec) codec;
    var error = assertThrows(OutboxException.EnqueueRefused.class, () -> raw.encode("a string"));
    assertTrue(error.getMessage().contains("is not a leaf of"), error.getMessage());
  }
}
