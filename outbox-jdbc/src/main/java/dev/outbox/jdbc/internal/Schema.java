package dev.outbox.jdbc.internal;

import dev.outbox.OutboxException;
import dev.outbox.jdbc.Dialect;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped migrations of a dialect, with the configured table names in place of the defaults,
 * and the checks that a database holds what this version needs. Every migration is idempotent
 * ({@code IF NOT EXISTS}, backfills of what is still empty), so applying one twice is harmless.
 * Internal.
 */
public final class Schema {
  static final String DEFAULT_JOB = "outbox_job";
  static final String DEFAULT_DEAD_LETTER = "outbox_dead_letter";

  /** The migrations, in order; a table at version n has had the first n applied. */
  static final List<String> MIGRATIONS =
      List.of("V1__outbox_baseline.sql", "V2__outbox_event_id.sql");

  /**
   * The opt-in NOTIFY trigger of PostgreSQL, for rows inserted without the library (whose enqueue
   * notifies by itself); its cost is in the file.
   */
  static final String NOTIFY_TRIGGER_RESOURCE =
      "dev/outbox/jdbc/schema/postgresql-notify-trigger.sql";

  private Schema() {}

  /** Every migration's statements in order, for these (validated) table names. */
  public static List<String> statements(Dialect dialect, String job, String deadLetter) {
    return statementsFrom(0, dialect, job, deadLetter);
  }

  /** The statements of migration {@code version} (1 for the baseline) for these table names. */
  public static List<String> migration(
      Dialect dialect, int version, String job, String deadLetter) {
    return statements(
        dialect.migrationLocation() + "/" + MIGRATIONS.get(version - 1), job, deadLetter);
  }

  private static List<String> statementsFrom(
      int version, Dialect dialect, String job, String deadLetter) {
    List<String> statements = new ArrayList<>();
    for (String migration : MIGRATIONS.subList(version, MIGRATIONS.size())) {
      statements.addAll(statements(dialect.migrationLocation() + "/" + migration, job, deadLetter));
    }
    return statements;
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

  /**
   * Creates the tables where missing and brings tables of an earlier version up to date, applying
   * the migrations they have not had (auto-commit DDL).
   */
  public static void createIfMissing(Transactions transactions, SqlDialect sql) {
    String job = sql.jobTable();
    String deadLetter = sql.deadLetterTable();
    transactions.autoCommit(
        "creating or upgrading the outbox tables " + job + " and " + deadLetter,
        connection -> {
          int version = version(connection, sql, job, deadLetter);
          try (Statement statement = connection.createStatement()) {
            for (String ddl : statementsFrom(version, sql.dialect(), job, deadLetter)) {
              statement.execute(ddl);
            }
          }
          return null;
        });
  }

  /**
   * Refuses tables older than this version needs, naming the migrations to apply.
   *
   * @throws OutboxException.Misconfigured if a table is missing or lacks a migration
   */
  public static void require(Transactions transactions, SqlDialect sql) {
    String job = sql.jobTable();
    String deadLetter = sql.deadLetterTable();
    Dialect dialect = sql.dialect();
    int version =
        transactions.autoCommit(
            "checking the outbox tables " + job + " and " + deadLetter,
            connection -> version(connection, sql, job, deadLetter));
    if (version == MIGRATIONS.size()) {
      return;
    }
    String where = "classpath:" + dialect.migrationLocation();
    if (version == 0) {
      throw new OutboxException.Misconfigured(
          "the outbox tables "
              + job
              + " and "
              + deadLetter
              + " do not both exist. Create them with outbox.createSchemaIfMissing(), or run the"
              + " migrations in "
              + where
              + " ("
              + String.join(", ", MIGRATIONS)
              + ") from Flyway or Liquibase");
    }
    List<String> missing = MIGRATIONS.subList(version, MIGRATIONS.size());
    throw new OutboxException.Misconfigured(
        "the outbox tables "
            + job
            + " and "
            + deadLetter
            + " are at schema version "
            + version
            + "; this version of the library needs "
            + MIGRATIONS.size()
            + ". Apply "
            + String.join(", ", missing)
            + " from "
            + where
            + " (Flyway, Liquibase, or by hand with your table names), or call"
            + " outbox.createSchemaIfMissing(), which applies them; jobs already queued are kept");
  }

  /**
   * The schema version both tables have reached: 0 if either is missing, 1 for the baseline, 2 once
   * both have event ids. Read from {@code information_schema}, so that probing a missing table
   * raises no error for a driver to log.
   */
  static int version(Connection connection, SqlDialect sql, String job, String deadLetter)
      throws SQLException {
    return Math.min(version(connection, sql, job), version(connection, sql, deadLetter));
  }

  private static int version(Connection connection, SqlDialect sql, String table)
      throws SQLException {
    int dot = table.lastIndexOf('.');
    String qualifier = dot < 0 ? null : table.substring(0, dot);
    Set<String> columns = new HashSet<>();
    try (PreparedStatement select = connection.prepareStatement(sql.columnsOfTable())) {
      select.setString(1, qualifier == null ? null : sql.folded(qualifier));
      select.setString(2, sql.folded(Identifiers.bare(table)));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          columns.add(rows.getString(1).toLowerCase(Locale.ROOT));
        }
      }
    }
    if (columns.isEmpty()) {
      return 0;
    }
    return columns.contains("event_id") ? 2 : 1;
  }

  /**
   * What an insert's error says about the schema, as a sentence to append, or "": a missing table
   * or a missing column, told by its SQLState (42P01 and 42703 on PostgreSQL, 42S02 and 42S22 on
   * MariaDB and H2). Other errors say nothing of the schema.
   */
  static String diagnosis(SqlDialect sql, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String where = "classpath:" + sql.dialect().migrationLocation();
    if (state.equals("42P01") || state.equals("42S02")) {
      return " The table does not exist: create it with outbox.createSchemaIfMissing(), or run the"
          + " migrations in "
          + where
          + " from Flyway or Liquibase.";
    }
    if (state.equals("42703") || state.equals("42S22")) {
      return " The table lacks a column this version needs (event_id, added by"
          + " V2__outbox_event_id.sql): apply the migrations in "
          + where
          + " that it has not had, or call outbox.createSchemaIfMissing(), which applies them.";
    }
    return "";
  }

  /**
   * Whether a failed statement took the caller's transaction with it: always on PostgreSQL; on the
   * others when the database chose the transaction as a deadlock victim (SQLState class 40).
   */
  static boolean abortsTransaction(SqlDialect sql, SQLException e) {
    String state = e.getSQLState();
    return sql.dialect() == Dialect.POSTGRESQL || (state != null && state.startsWith("40"));
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
   * The longest suffix the shipped DDL (every dialect's migrations, the NOTIFY trigger) appends to
   * {@code defaultTable}'s name to name something else ({@code _idempotency} for {@code
   * outbox_job}).
   */
  static int longestDerivedSuffix(String defaultTable) {
    Pattern derived = Pattern.compile("\\b" + defaultTable + "(_\\w+)");
    int longest = 0;
    List<String> resources = new ArrayList<>();
    for (Dialect dialect : Dialect.values()) {
      for (String migration : MIGRATIONS) {
        resources.add(dialect.migrationLocation() + "/" + migration);
      }
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
