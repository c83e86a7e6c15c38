package dev.outbox.samples.quickstart;

import dev.outbox.OutboxException;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.forward.InngestForwarder;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.samples.quickstart.ParsedJob.ReticulateSplines;
import dev.outbox.samples.quickstart.ParsedJob.SendClientLoginLink;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The quick start's {@code --forward} mode: the same jobs, committed with their data, become events
 * on an Inngest Event API (the dev server with {@code INNGEST_DEV=1}, or any {@code
 * INNGEST_BASE_URL} with {@code INNGEST_EVENT_KEY}). One committed row becomes one event; a rolled
 * back one never does.
 */
public final class ForwardMode {
  private ForwardMode() {}

  /** Builds the forwarder from the INNGEST_* environment, or says what to set. */
  static InngestForwarder<ParsedJob> forwarderFromEnvironment(JdbcOutbox<ParsedJob> outbox) {
    try {
      return InngestForwarder.builder(outbox.codec())
          .fromEnvironment()
          .namePrefix("quickstart/")
          .build();
    } catch (OutboxException.Misconfigured e) {
      throw new OutboxException.Misconfigured(
          e.getMessage()
              + ". For a local dev server run 'npx inngest-cli@latest dev' and set INNGEST_DEV=1;"
              + " otherwise set INNGEST_BASE_URL and INNGEST_EVENT_KEY.",
          e);
    }
  }

  /** Enqueues a few signups (one rolled back) and forwards their jobs; returns the totals. */
  public static DrainReport run(
      DataSource dataSource,
      JdbcOutbox<ParsedJob> outbox,
      InngestForwarder<ParsedJob> forwarder,
      PrintStream out)
      throws Exception {
    for (String email : new String[] {"ada@example.com", "grace@example.com"}) {
      try (Connection tx = dataSource.getConnection()) {
        tx.setAutoCommit(false);
        outbox.enqueue(tx, new SendClientLoginLink(email.length()));
        outbox.enqueue(tx, new ReticulateSplines("dashboard of " + email));
        tx.commit();
      }
    }
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      outbox.enqueue(tx, new SendClientLoginLink(-1));
      tx.rollback();
    }
    out.println(
        "1. Committed 4 jobs for 2 signups; a third signup rolled back (its job never existed).");
    out.println("2. Forwarding to " + forwarder + " ...");
    Drainer<ParsedJob> drainer =
        outbox.drainer().batchHandler(forwarder).pollInterval(Duration.ofMillis(100)).build();
    drainer.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (pending(dataSource, outbox) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    drainer.close();
    DrainReport totals = drainer.totals();
    long left = pending(dataSource, outbox);
    out.printf(
        "3. Events sent: %d in %d request(s); %d job(s) still pending%s.%n",
        totals.counts().getOrDefault("eventsSent", 0L),
        totals.counts().getOrDefault("requests", 0L),
        left,
        left == 0 ? "" : " (is the Event API up? they stay pending and are sent when it answers)");
    out.println(
        "4. In the dev server (http://localhost:8288, Events) you see quickstart/send-client-login-link"
            + " and quickstart/reticulate-splines, each with a stable id like"
            + " quickstart-send-client-login-link-1: a resend is deduplicated.");
    return totals;
  }

  private static long pending(DataSource dataSource, JdbcOutbox<ParsedJob> outbox)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + outbox.jobTable())) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
