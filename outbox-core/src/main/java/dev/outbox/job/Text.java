package dev.outbox.job;

/** What a database cannot store as it is in a text column. */
final class Text {
  private Text() {}

  /** The index of the first NUL or lone surrogate in {@code text}, or -1 if there is none. */
  static int unstorableAt(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\0') {
        return i;
      }
      if (Character.isSurrogate(c)) {
        boolean paired =
            Character.isHighSurrogate(c)
                && i + 1 < text.length()
                && Character.isLowSurrogate(text.charAt(i + 1));
        if (!paired) {
          return i;
        }
        i++;
      }
    }
    return -1;
  }

  /** Names the character at {@code index}: "a NUL character at index 3". */
  static String describe(String text, int index) {
    char c = text.charAt(index);
    String what =
        c == '\0'
            ? "a NUL character"
            : String.format("half of a surrogate pair (\\u%04X) without its other half", (int) c);
    return what + " at index " + index;
  }
}
