package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import dev.outbox.jdbc.Dialect;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped DDL of a dialect, with the configured table names in place of the defaults. Every
 * statement is {@code IF NOT EXISTS}, so applying it twice is harmless. Internal.
 */
public final class Schema {
  static final String DEFAULT_JOB = "outbox_job";
  static final String DEFAULT_DEAD_LETTER = "outbox_dead_letter";

  /**
   * The opt-in NOTIFY trigger of PostgreSQL, for rows inserted without the library (whose enqueue
   * notifies by itself); its cost is in the file.
   */
  static final String NOTIFY_TRIGGER_RESOURCE =
      "dev/outbox/jdbc/schema/postgresql-notify-trigger.sql";

  private Schema() {}

  /** The DDL statements for these (validated) table names. */
  public static List<String> statements(Dialect dialect, String job, String deadLetter) {
    return statements(dialect.ddlResource(), job, deadLetter);
  }

  /** The statements of the opt-in NOTIFY trigger for this (validated) job table. */
  public static List<String> notifyTriggerStatements(Dialect dialect, String job) {
    if (dialect != Dialect.POSTGRESQL) {
      throw new OutboxException.Misconfigured(
          "the NOTIFY trigger is for PostgreSQL only; this outbox speaks " + dialect);
    }
    return statements(NOTIFY_TRIGGER_RESOURCE, job, DEFAULT_DEAD_LETTER);
  }

  /** Creates the opt-in NOTIFY trigger on the job table unless it exists (auto-commit DDL). */
  public static void createNotifyTrigger(Transactions transactions, Dialect dialect, String job) {
    apply(
        transactions,
        "creating the NOTIFY trigger on " + job,
        notifyTriggerStatements(dialect, job));
  }

  private static List<String> statements(String resource, String job, String deadLetter) {
    String ddl = renamed(read(resource), job, deadLetter);
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : ddl.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        statements.add(current.substring(0, current.lastIndexOf(";")).strip());
        current.setLength(0);
      }
    }
    return statements;
  }

  /**
   * The longest suffix the shipped DDL (every dialect, the NOTIFY trigger) appends to {@code
   * defaultTable}'s name to name something else ({@code _idempotency} for {@code outbox_job}).
   */
  static int longestDerivedSuffix(String defaultTable) {
    Pattern derived = Pattern.compile("\\b" + defaultTable + "(_\\w+)");
    int longest = 0;
    List<String> resources = new ArrayList<>();
    for (Dialect dialect : Dialect.values()) {
      resources.add(dialect.ddlResource());
    }
    resources.add(NOTIFY_TRIGGER_RESOURCE);
    for (String resource : resources) {
      Matcher found = derived.matcher(read(resource));
      while (found.find()) {
        longest = Math.max(longest, found.group(1).length());
      }
    }
    return longest;
  }

  /** Applies the DDL; tables and indexes that exist are left as they are. */
  public static void createIfMissing(
      Transactions transactions, Dialect dialect, String job, String deadLetter) {
    apply(
        transactions,
        "creating the outbox tables " + job + " and " + deadLetter,
        statements(dialect, job, deadLetter));
  }

  private static void apply(Transactions transactions, String what, List<String> statements) {
    transactions.autoCommit(
        what,
        connection -> {
          try (Statement statement = connection.createStatement()) {
            for (String ddl : statements) {
              statement.execute(ddl);
            }
          }
          return null;
        });
  }

  private static String renamed(String ddl, String job, String deadLetter) {
    // Index names first (outbox_job_run_at): they take the bare table name, never a schema.
    String renamed =
        ddl.replaceAll(
                "\\b" + DEFAULT_DEAD_LETTER + "_(\\w+)",
                Matcher.quoteReplacement(Identifiers.bare(deadLetter)) + "_$1")
            .replaceAll(
                "\\b" + DEFAULT_JOB + "_(\\w+)",
                Matcher.quoteReplacement(Identifiers.bare(job)) + "_$1");
    return renamed
        .replaceAll("\\b" + DEFAULT_DEAD_LETTER + "\\b", Matcher.quoteReplacement(deadLetter))
        .replaceAll("\\b" + DEFAULT_JOB + "\\b", Matcher.quoteReplacement(job));
  }

  private static String read(String resource) {
    try (InputStream in = Schema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new OutboxException.Misconfigured(
            "the DDL resource " + resource + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new OutboxException.Misconfigured("could not read the DDL resource " + resource, e);
    }
  }
}
