package dev.outbox.samples.quickstart;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterQuery;
import dev.outbox.drain.Backoff;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.JobHandler;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.samples.quickstart.ParsedJob.ReticulateSplines;
import dev.outbox.samples.quickstart.ParsedJob.SendClientLoginLink;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;

/**
 * The quick start: a client row and its login-link job written in one transaction; a signup that
 * rolls back and leaves no job; a drainer that sends the login link (recording it in the same
 * transaction that completes the job) and sends a not-yet-implemented job to the dead letters after
 * its retries; a corrupt row that lands in the dead letters as unparseable.
 *
 * <p>Runs on embedded H2; pass {@code --postgres} to use the local PostgreSQL instead.
 */
public final class QuickStart {
  private static final String CLIENTS = "quickstart_client";

  private QuickStart() {}

  /**
   * Runs the demo and exits. {@code --postgres} uses the local PostgreSQL; {@code --forward} sends
   * the jobs to an Inngest Event API instead of handling them (see {@link ForwardMode}).
   */
  public static void main(String[] args) throws Exception {
    List<String> flags = List.of(args);
    try (HikariDataSource dataSource = dataSource(flags.contains("--postgres"))) {
      if (flags.contains("--forward")) {
        JdbcOutbox<ParsedJob> outbox = outbox(dataSource);
        resetTables(dataSource, outbox);
        ForwardMode.run(
            dataSource, outbox, ForwardMode.forwarderFromEnvironment(outbox), System.out);
      } else {
        run(dataSource, System.out);
      }
    }
  }

  /** The quick start's outbox, on its own tables. */
  static JdbcOutbox<ParsedJob> outbox(DataSource dataSource) {
    return JdbcOutbox.builder(dataSource, ParsedJob.class)
        .jobTable("quickstart_job")
        .deadLetterTable("quickstart_dead_letter")
        .build();
  }

  /** What the demo did, for its test. */
  public record Summary(
      long loginLinksRecorded,
      long pendingJobs,
      List<DeadLetter> deadLetters,
      DrainReport totals) {}

  /** Runs every step against {@code dataSource}, printing a few readable lines to {@code out}. */
  public static Summary run(DataSource dataSource, PrintStream out) throws Exception {
    JdbcOutbox<ParsedJob> outbox = outbox(dataSource);
    resetTables(dataSource, outbox);

    long ada = signUp(dataSource, outbox, "ada@example.com", false);
    out.printf(
        "1. Signed up ada@example.com (client %d); her login link and a spline job were queued in the same transaction.%n",
        ada);
    signUp(dataSource, outbox, "bob@example.com", true);
    out.printf(
        "2. Signup of bob@example.com rolled back: %d client(s) and %d job(s) remain, all ada's - his jobs never existed.%n",
        count(dataSource, CLIENTS), count(dataSource, outbox.jobTable()));
    insertCorruptRow(dataSource, outbox);
    out.println(
        "3. Inserted a corrupt row by hand: kind SendClientLoginLink, clientId \"forty-two\".");

    DrainReport totals = drain(dataSource, outbox, out);
    out.printf(
        "5. Drained: %d claims, %d done, %d retried, %d dead-lettered (%d unparseable).%n",
        totals.claimed(),
        totals.succeeded(),
        totals.retried(),
        totals.deadLettered(),
        totals.unparseable());

    long recorded =
        sum(dataSource, "login_links_sent", CLIENTS + " WHERE login_link_sent_at IS NOT NULL");
    out.printf(
        "6. login_link_sent_at was set %d time(s), in the transaction that completed the job.%n",
        recorded);
    List<DeadLetter> letters = outbox.deadLetters().list(DeadLetterQuery.all());
    out.println("7. Dead letters (inspect, requeue or delete them with outbox.deadLetters()):");
    for (DeadLetter letter : letters) {
      out.printf(
          "   #%d %s %s after %d attempt(s): %s%n",
          letter.id(),
          letter.kind(),
          letter.reason(),
          letter.attempts(),
          letter.error().lines().findFirst().orElse(""));
    }
    return new Summary(recorded, count(dataSource, outbox.jobTable()), letters, totals);
  }

  private static long signUp(
      DataSource dataSource, JdbcOutbox<ParsedJob> outbox, String email, boolean paymentFails)
      throws SQLException {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      long clientId = insertClient(tx, email);
      outbox.enqueue(tx, new SendClientLoginLink(clientId));
      outbox.enqueue(tx, new ReticulateSplines("dashboard of " + email));
      if (paymentFails) {
        tx.rollback();
        return -1;
      }
      tx.commit();
      return clientId;
    }
  }

  private static DrainReport drain(
      DataSource dataSource, JdbcOutbox<ParsedJob> outbox, PrintStream out) throws Exception {
    JobHandler<ParsedJob> ordinary =
        JobHandler.consuming(
            job -> {
              if (job instanceof ReticulateSplines splines) {
                throw new UnsupportedOperationException(
                    "reticulating " + splines.target() + ": not implemented");
              }
            });
    Drainer<ParsedJob> drainer =
        outbox
            .drainer()
            .handler(ordinary)
            .transactional(
                SendClientLoginLink.class,
                (job, tx) -> {
                  recordLoginLink(tx, job.payload().clientId());
                  out.printf(
                      "4. Sent a login link to client %d (attempt %d).%n",
                      job.payload().clientId(), job.attempt());
                  return Outcome.done();
                })
            .maxAttempts(3)
            .backoff(Backoff.exponential(Duration.ofMillis(50), Duration.ofMillis(200)))
            .pollInterval(Duration.ofMillis(50))
            .build();
    drainer.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (count(dataSource, outbox.jobTable()) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    drainer.close();
    return drainer.totals();
  }

  private static void recordLoginLink(Connection tx, long clientId) throws SQLException {
    try (PreparedStatement update =
        tx.prepareStatement(
            "UPDATE "
                + CLIENTS
                + " SET login_link_sent_at = ?, login_links_sent = login_links_sent + 1 WHERE id = ?")) {
      update.setLong(1, System.currentTimeMillis());
      update.setLong(2, clientId);
      update.executeUpdate();
    }
  }

  private static long insertClient(Connection tx, String email) throws SQLException {
    try (PreparedStatement insert =
        tx.prepareStatement(
            "INSERT INTO " + CLIENTS + " (email) VALUES (?)", new String[] {"id"})) {
      insert.setString(1, email);
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  private static void insertCorruptRow(DataSource dataSource, JdbcOutbox<ParsedJob> outbox)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.executeUpdate(
          "INSERT INTO "
              + outbox.jobTable()
              + " (kind, payload, created_at, run_at, attempts)"
              + " VALUES ('SendClientLoginLink', '{\"clientId\":\"forty-two\"}', 0, 0, 0)");
    }
  }

  static void resetTables(DataSource dataSource, JdbcOutbox<ParsedJob> outbox) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + CLIENTS);
      statement.execute("DROP TABLE IF EXISTS " + outbox.jobTable());
      statement.execute("DROP TABLE IF EXISTS " + outbox.deadLetterTable());
      statement.execute(
          "CREATE TABLE "
              + CLIENTS
              + " (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
              + " email VARCHAR(200) NOT NULL, login_link_sent_at BIGINT,"
              + " login_links_sent INT DEFAULT 0 NOT NULL)");
    }
    outbox.createSchemaIfMissing();
  }

  private static long sum(DataSource dataSource, String column, String tableAndCondition)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT COALESCE(SUM(" + column + "), 0) FROM " + tableAndCondition)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static long count(DataSource dataSource, String tableAndCondition) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + tableAndCondition)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static HikariDataSource dataSource(boolean postgres) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(
        postgres
            ? "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"
            : "jdbc:h2:mem:quickstart;DB_CLOSE_DELAY=-1");
    config.setMaximumPoolSize(10);
    return new HikariDataSource(config);
  }
}
