package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Table names are checked before they reach any SQL: a strict pattern, no reserved word, and short
 * enough that every identifier the schema derives from them fits. Internal.
 */
public final class Identifiers {
  private static final Pattern NAME =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

  /**
   * The longest identifier every supported database keeps whole: PostgreSQL cuts at 63 bytes
   * (MariaDB refuses over 64, H2 over 256). A cut index name may collide with another, and then
   * {@code CREATE INDEX IF NOT EXISTS} silently skips it. Names are ASCII, so bytes are characters.
   */
  static final int MAX_IDENTIFIER = 63;

  private static final String RESERVED_RESOURCE = "dev/outbox/jdbc/reserved-words.txt";
  private static final Set<String> RESERVED = reservedWords();

  private Identifiers() {}

  /**
   * Returns the name if it is a plain identifier, optionally schema-qualified, no part of it a
   * reserved word, and short enough for the identifiers the schema derives from {@code
   * defaultName}'s (its indexes, its trigger).
   *
   * @throws OutboxException.Misconfigured naming the setting and the value
   */
  public static String table(String setting, String name, String defaultName) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new OutboxException.Misconfigured(
          setting
              + " must be a plain SQL identifier, optionally schema-qualified (letters, digits and"
              + " '_', starting with a letter or '_', at most 63 characters each), was '"
              + name
              + "'");
    }
    for (String part : name.split("\\.")) {
      if (RESERVED.contains(part.toUpperCase(Locale.ROOT))) {
        throw new OutboxException.Misconfigured(
            setting
                + " must not be an SQL reserved word (in PostgreSQL, MariaDB/MySQL or H2), was '"
                + name
                + "': choose another name, such as '"
                + part
                + "_outbox'");
      }
    }
    int longest = bare(name).length() + Schema.longestDerivedSuffix(defaultName);
    if (longest > MAX_IDENTIFIER) {
      throw new OutboxException.Misconfigured(
          setting
              + " must be at most "
              + (MAX_IDENTIFIER - Schema.longestDerivedSuffix(defaultName))
              + " characters without its schema, was '"
              + name
              + "': the schema names indexes after it (up to "
              + longest
              + " characters), and PostgreSQL cuts identifiers at "
              + MAX_IDENTIFIER
              + " bytes, so they would collide");
    }
    return name;
  }

  /** The name without its schema, for naming indexes. */
  public static String bare(String name) {
    return name.substring(name.lastIndexOf('.') + 1);
  }

  private static Set<String> reservedWords() {
    try (InputStream in =
        Identifiers.class.getClassLoader().getResourceAsStream(RESERVED_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESERVED_RESOURCE + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.startsWith("#"))
          .flatMap(line -> Arrays.stream(line.trim().split("\\s+")))
          .filter(word -> !word.isEmpty())
          .collect(Collectors.toUnmodifiableSet());
    } catch (IOException e) {
      throw new IllegalStateException("could not read " + RESERVED_RESOURCE, e);
    }
  }
}
