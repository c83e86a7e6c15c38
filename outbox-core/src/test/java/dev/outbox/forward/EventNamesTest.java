package dev.outbox.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.internal.KindNames;
import org.junit.jupiter.api.Test;

class EventNamesTest {

  @Test
  void camelCaseKindsBecomeLowercaseDashedWords() {
    assertEquals("send-welcome-email", KindNames.dashed("SendWelcomeEmail"));
    assertEquals("http-request-sent", KindNames.dashed("HTTPRequestSent"));
    assertEquals("oauth2-token-issued", KindNames.dashed("Oauth2TokenIssued"));
    assertEquals("invoice-paid", KindNames.dashed("invoice_paid"));
    assertEquals("already-dashed", KindNames.dashed("already-dashed"));
    assertEquals("user.created", KindNames.dashed("User.Created"));
    assertEquals("cart.checkout-completed", KindNames.dashed("Cart.CheckoutCompleted"));
  }

  @Test
  void theDefaultNameIsThePrefixPlusTheDashedKind() {
    assertEquals("shop/send-welcome-email", EventNames.defaultName("shop/", "SendWelcomeEmail"));
    assertEquals("charge-card", EventNames.defaultName("", "ChargeCard"));
  }

  @Test
  void aKindWithASlashIsAlreadyAnEventNameAndKeptAsItIs() {
    assertEquals("db/users.created", EventNames.defaultName("shop/", "db/users.created"));
    assertEquals("app/User.Created", EventNames.defaultName("shop/", "app/User.Created"));
  }

  @Test
  void namesAreCheckedAgainstInngestsRules() {
    assertTrue(EventNames.problemWith("shop/ok").isEmpty());
    assertTrue(EventNames.problemWith("x".repeat(256)).isEmpty());
    assertTrue(EventNames.problemWith("").get().contains("empty"));
    assertTrue(EventNames.problemWith("x".repeat(257)).get().contains("257 characters"));
    assertTrue(EventNames.problemWith("inngest/function.failed").get().contains("reserves"));
  }
}
