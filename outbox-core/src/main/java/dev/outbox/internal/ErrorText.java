package dev.outbox.internal;

import java.util.IdentityHashMap;
import java.util.Map;

/** Bounded error text for the job and dead-letter tables. Internal: not API. */
public final class ErrorText {
  /** The most characters of error text stored. */
  public static final int MAX_LENGTH = 4000;

  private static final int FRAMES = 5;

  private ErrorText() {}

  /** The exception's class and message, its causes', and its top frames, at most MAX_LENGTH. */
  public static String of(Throwable error) {
    StringBuilder text = new StringBuilder();
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    Throwable current = error;
    while (current != null && seen.put(current, true) == null) {
      if (text.length() > 0) {
        text.append("\ncaused by: ");
      }
      text.append(current);
      current = current.getCause();
    }
    StackTraceElement[] frames = error.getStackTrace();
    for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
      text.append("\n\tat ").append(frames[i]);
    }
    return bounded(text.toString());
  }

  /**
   * The text cut to MAX_LENGTH characters, marked when cut, with any NUL character replaced by
   * U+FFFD: PostgreSQL's text types refuse NUL, and a refused error text would fail the write of
   * every outcome of the batch.
   */
  public static String bounded(String text) {
    String storable = text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    if (storable.length() <= MAX_LENGTH) {
      return storable;
    }
    String mark = "… [cut, " + storable.length() + " chars]";
    return storable.substring(0, MAX_LENGTH - mark.length()) + mark;
  }
}
