package dev.outbox.forward;

import dev.outbox.internal.KindNames;
import io.vavr.control.Option;

/**
 * Event names derived from job kinds, and Inngest's rules on names.
 *
 * <p>The default name of a kind: a kind containing {@code /} is already an event name (change
 * events such as {@code db/users.created}) and is kept as it is; any other kind gets the prefix and
 * is turned into lowercase words joined by dashes. Word boundaries are an upper-case letter after a
 * lower-case letter or a digit, the last capital of an acronym followed by a lower-case letter, and
 * {@code _}, {@code -} or a space; dots and colons are kept. So {@code SendWelcomeEmail} becomes
 * {@code send-welcome-email}, {@code HTTPRequestSent} becomes {@code http-request-sent}, {@code
 * invoice_paid} becomes {@code invoice-paid} and {@code User.Created} becomes {@code user.created}.
 */
final class EventNames {
  /** Inngest's longest event name. */
  static final int MAX_NAME_LENGTH = 256;

  /** Names Inngest keeps for its own events. */
  static final String RESERVED_PREFIX = "inngest/";

  private EventNames() {}

  /** The name a job of this kind is sent under when no name was mapped for it. */
  static String defaultName(String prefix, String kind) {
    return kind.indexOf('/') >= 0 ? kind : prefix + KindNames.dashed(kind);
  }

  /** What is wrong with a name by Inngest's rules, or nothing. */
  static Option<String> problemWith(String name) {
    if (name == null || name.isEmpty()) {
      return Option.some("the event name is empty; Inngest requires a name");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      return Option.some(
          "the event name '"
              + name.substring(0, 40)
              + "…' has "
              + name.length()
              + " characters; Inngest allows at most "
              + MAX_NAME_LENGTH);
    }
    if (name.startsWith(RESERVED_PREFIX)) {
      return Option.some(
          "the event name '"
              + name
              + "' starts with '"
              + RESERVED_PREFIX
              + "', which Inngest reserves for its own events");
    }
    return Option.none();
  }
}
