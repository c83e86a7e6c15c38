package dev.outbox.internal;

/** Names derived from job kinds, shared by the forwarders. Internal: not API. */
public final class KindNames {
  private KindNames() {}

  /**
   * The kind as lowercase words joined by dashes: a boundary is an upper-case letter after a
   * lower-case letter or a digit, the last capital of an acronym followed by a lower-case letter,
   * and {@code _}, {@code -} or a space; dots and colons are kept ({@code HTTPRequestSent} becomes
   * {@code http-request-sent}).
   */
  public static String dashed(String kind) {
    StringBuilder name = new StringBuilder(kind.length() + 8);
    for (int i = 0; i < kind.length(); i++) {
      char c = kind.charAt(i);
      if (c == '_' || c == '-' || c == ' ') {
        dash(name);
      } else {
        if (Character.isUpperCase(c) && startsWord(kind, i)) {
          dash(name);
        }
        name.append(Character.toLowerCase(c));
      }
    }
    return name.toString();
  }

  private static boolean startsWord(String kind, int i) {
    if (i == 0) {
      return false;
    }
    char before = kind.charAt(i - 1);
    if (Character.isLowerCase(before) || Character.isDigit(before)) {
      return true;
    }
    boolean acronymEnds = i + 1 < kind.length() && Character.isLowerCase(kind.charAt(i + 1));
    return Character.isUpperCase(before) && acronymEnds;
  }

  private static void dash(StringBuilder name) {
    int length = name.length();
    if (length > 0 && name.charAt(length - 1) != '-' && name.charAt(length - 1) != '.') {
      name.append('-');
    }
  }
}
