package dev.outbox.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EventNamesTest {

  @Test
  void camelCaseKindsBecomeLowercaseDashedWords() {
    assertEquals("send-welcome-email", EventNames.dashed("SendWelcomeEmail"));
    assertEquals("http-request-sent", EventNames.dashed("HTTPRequestSent"));
    assertEquals("oauth2-token-issued", EventNames.dashed("Oauth2TokenIssued"));
    assertEquals("invoice-paid", EventNames.dashed("invoice_paid"));
    assertEquals("already-dashed", EventNames.dashed("already-dashed"));
    assertEquals("user.created", EventNames.dashed("User.Created"));
    assertEquals("cart.checkout-completed", EventNames.dashed("Cart.CheckoutCompleted"));
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
