package dev.outbox.forward;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Inngest event key, a secret. Its {@link #toString()} is a mask, and {@link #scrub(String)}
 * removes it from any text that leaves the forwarder (log lines, exception messages, server error
 * text that might echo the request path).
 */
final class EventKey {
  static final String MASK = "****";

  private final String pathSegment;
  private final Set<String> forms = new LinkedHashSet<>();

  EventKey(String value) {
    String formEncoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
    // In a path a space is %20, not the '+' of form encoding.
    this.pathSegment = formEncoded.replace("+", "%20");
    // Every form a server or library might echo: plain, path- or form-encoded, either hex case.
    for (String form : List.of(value, pathSegment, formEncoded)) {
      forms.add(form);
      forms.add(lowerCaseHex(form));
    }
  }

  /** The key percent-encoded for the request path {@code /e/{key}}. */
  String pathSegment() {
    return pathSegment;
  }

  /** The text with every occurrence of the key (plain or percent-encoded) replaced by a mask. */
  String scrub(String text) {
    if (text == null) {
      return "";
    }
    String scrubbed = text;
    for (String form : forms) {
      scrubbed = scrubbed.replace(form, MASK);
    }
    return scrubbed;
  }

  private static String lowerCaseHex(String encoded) {
    return Pattern.compile("%[0-9A-F]{2}")
        .matcher(encoded)
        .replaceAll(escape -> escape.group().toLowerCase(Locale.ROOT));
  }

  @Override
  public String toString() {
    return MASK;
  }
}
