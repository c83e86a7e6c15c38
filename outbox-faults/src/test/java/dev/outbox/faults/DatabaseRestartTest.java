package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.testing.TestDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Scenario 3: PostgreSQL is restarted while producers enqueue and drainers drain. Nobody is told:
 * pools, producers and drainers must recover by themselves, and nothing committed may be lost.
 *
 * <p>Restarting the server ends every session on it, so this runs only where that is allowed:
 * {@code OUTBOX_FAULTS_RESTART_DB=true} (set by CI in {@code .ci/run}). The restart command is
 * {@code pg_ctlcluster --skip-systemctl-redirect <version> main restart}, or {@code
 * OUTBOX_FAULTS_RESTART_COMMAND} (run with {@code sh -c}) where the server is managed otherwise.
 */
class DatabaseRestartTest {
  private static final int PRODUCERS = 3;
  private static final int DRAINERS = 3;

  /** Jobs committed before the restart, then after it, before the producers stop. */
  private static final long JOBS_EACH_SIDE = 3_000;

  @Test
  void postgresRestartedUnderLoadLosesNothingAndEveryoneRecoversUnaided() throws Exception {
    Assumptions.assumeTrue(
        "true".equalsIgnoreCase(System.getenv("OUTBOX_FAULTS_RESTART_DB")),
        "may not restart the server here (set OUTBOX_FAULTS_RESTART_DB=true to allow it)");
    Figures figures = Figures.of("3 database restart, POSTGRESQL");
    Ledger ledger = new Ledger();
    ExecutorService threads = Executors.newFixedThreadPool(PRODUCERS);
    try (ScenarioTables tables = ScenarioTables.create(TestDatabase.POSTGRESQL, PRODUCERS + 2)) {
      Producers producers =
          new Producers(tables.dataSource, tables.outbox, ledger, FaultJob.Work::new);
      long restartMillis;
      long handledBeforeRestart;
      try (DrainerFleet fleet =
          DrainerFleet.start(
              tables,
              DRAINERS,
              4,
              drainer ->
                  drainer
                      .batchSize(50)
                      .concurrency(4)
                      .lease(Duration.ofSeconds(5))
                      .handler(
                          job -> {
                            ledger.handled(job.payload().n());
                            return Outcome.done();
                          }))) {
        List<Future<?>> producing = producers.start(threads, PRODUCERS, Long.MAX_VALUE);
        Await.until(
            Duration.ofMinutes(1),
            "jobs flow",
            () -> ledger.committedCount() >= JOBS_EACH_SIDE && ledger.handledCount() > 0);
        handledBeforeRestart = ledger.handledCount();
        long committedBeforeRestart = ledger.committedCount();
        restartMillis = restart(); // the producers are still producing: they meet it
        Await.until(
            Duration.ofMinutes(2),
            "producers commit again after the restart",
            () -> ledger.committedCount() >= committedBeforeRestart + JOBS_EACH_SIDE);
        producers.stop();
        for (Future<?> producer : producing) {
          producer.get(1, TimeUnit.MINUTES);
        }
        fleet.awaitDrained(tables, Duration.ofMinutes(3));
      } finally {
        producers.stop();
        threads.shutdownNow();
        ensureServerIsUp();
      }
      figures
          .put("committed", ledger.committedCount())
          .put("rolled back", ledger.rolledBackCount())
          .put("jobs whose commit was in doubt", ledger.inDoubtCount())
          .put("of which committed", ledger.inDoubtHandled())
          .put("producer transactions failed", producers.failures())
          .put("restart took", restartMillis + " ms")
          .put("handled", ledger.handledCount())
          .put("handled after the restart", ledger.handledCount() - handledBeforeRestart)
          .put("lost", ledger.lost())
          .put("handled after rollback", ledger.handledAfterRollback())
          .put("duplicated", ledger.duplicated())
          .put("dead-lettered", tables.deadLettered())
          .print();
      assertEquals(0, ledger.lost(), "committed jobs never handled");
      assertEquals(0, ledger.handledAfterRollback(), "rolled-back jobs handled");
      assertEquals(0, ledger.handledButNeverCommitted(), "handled jobs nobody committed");
      assertTrue(producers.failures() > 0, "the restart did not reach the producers");
      assertTrue(ledger.handledCount() > handledBeforeRestart, "nothing handled after restart");
      assertEquals(0, tables.deadLettered());
    }
  }

  /** Restarts the server and returns how long the command took, in milliseconds. */
  private static long restart() throws Exception {
    long start = System.nanoTime();
    run(restartCommand());
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  private static List<String> restartCommand() throws Exception {
    String custom = System.getenv("OUTBOX_FAULTS_RESTART_COMMAND");
    if (custom != null && !custom.isBlank()) {
      return List.of("sh", "-c", custom);
    }
    return List.of(
        "pg_ctlcluster", "--skip-systemctl-redirect", clusterVersion(), "main", "restart");
  }

  private static String clusterVersion() throws Exception {
    Path clusters = Path.of("/etc/postgresql");
    try (Stream<Path> versions = Files.list(clusters)) {
      return versions
          .map(path -> path.getFileName().toString())
          .sorted()
          .findFirst()
          .orElseThrow(() -> new AssertionError("no PostgreSQL cluster in " + clusters));
    }
  }

  private static void run(List<String> command) throws Exception {
    File log = Path.of("target", "database-restart.log").toFile();
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
            .start();
    assertTrue(process.waitFor(2, TimeUnit.MINUTES), command + " did not finish; see " + log);
    assertEquals(0, process.exitValue(), command + " failed; see " + log);
  }

  /** Whatever happened, leaves the server running for the tests that follow. */
  private static void ensureServerIsUp() throws Exception {
    if (reachable()) {
      return;
    }
    List<String> start = new ArrayList<>(restartCommand());
    start.set(start.size() - 1, "start");
    if (start.get(0).equals("sh")) {
      start = restartCommand(); // a custom command: restarting also starts
    }
    run(start);
    Await.until(Duration.ofMinutes(1), "PostgreSQL is back", DatabaseRestartTest::reachable);
  }

  private static boolean reachable() {
    try (Connection connection = DriverManager.getConnection(TestDatabase.POSTGRESQL.url())) {
      return connection.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }
}
