package dev.outbox.job;

import java.util.Set;

/**
 * Why a stored row could not be turned into a job. A closed set: on Java 21 a {@code switch} over
 * it is exhaustive. Parsing returns these as values; it never throws.
 */
public sealed interface ParseError {

  /** The kind stored in the row. */
  String kind();

  /** One line for logs and for the dead-letter table. */
  String describe();

  /** The row's kind names no leaf of the sealed job root. */
  record UnknownKind(String kind, Set<String> knownKinds) implements ParseError {
    public UnknownKind {
      knownKinds = Set.copyOf(knownKinds);
    }

    @Override
    public String describe() {
      return "unknown kind '" + kind + "'; known kinds: " + knownKinds;
    }
  }

  /** The payload is not valid JSON. {@code location} is where the reader stopped. */
  record MalformedJson(String kind, String location, String message) implements ParseError {
    @Override
    public String describe() {
      return "payload of kind '" + kind + "' is not valid JSON at " + location + ": " + message;
    }
  }

  /**
   * The payload is JSON but does not fit the leaf: a wrong type, a missing or null value, or a
   * constructor that refused it. {@code path} is a JSON path such as {@code $.items[2].sku}.
   */
  record WrongShape(String kind, String path, String message) implements ParseError {
    @Override
    public String describe() {
      return "payload of kind '" + kind + "' does not fit its type at " + path + ": " + message;
    }
  }
}
