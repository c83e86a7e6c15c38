package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import java.util.regex.Pattern;

/** Table names are checked against a strict pattern before they reach any SQL. Internal. */
public final class Identifiers {
  private static final Pattern NAME =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

  private Identifiers() {}

  /**
   * Returns the name if it is a plain identifier, optionally schema-qualified.
   *
   * @throws OutboxException.Misconfigured naming the setting and the value
   */
  public static String table(String setting, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new OutboxException.Misconfigured(
          setting
              + " must be a plain SQL identifier, optionally schema-qualified (letters, digits and"
              + " '_', starting with a letter or '_', at most 63 characters each), was '"
              + name
              + "'");
    }
    return name;
  }

  /** The name without its schema, for naming indexes. */
  public static String bare(String name) {
    return name.substring(name.lastIndexOf('.') + 1);
  }
}
