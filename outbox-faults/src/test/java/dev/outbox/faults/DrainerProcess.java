package dev.outbox.faults;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.Backoff;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.Dialect;
import dev.outbox.jdbc.internal.JdbcStore;
import dev.outbox.jdbc.internal.SqlDialect;
import dev.outbox.jdbc.internal.Transactions;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.JobCodec;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A drainer in its own JVM, as an application instance runs one: started by {@link
 * CrashedDrainersTest}, it drains the scenario's PostgreSQL tables, journals every handler run, and
 * halts at its {@link CrashPoint} (or, as a survivor, drains until the test stops it with SIGTERM,
 * which closes the drainer gracefully).
 */
public final class DrainerProcess {
  /** How long each handler works: long enough for kills to land mid-batch. */
  static final Duration WORK = Duration.ofMillis(5);

  private DrainerProcess() {}

  /** The arguments the test passes; see {@link #main}. */
  static List<String> arguments(
      String url,
      String jobTable,
      String deadLetterTable,
      String sessionName,
      Path journal,
      CrashPoint point,
      int crashAt,
      Duration lease) {
    return new ArrayList<>(
        List.of(
            url,
            jobTable,
            deadLetterTable,
            sessionName,
            journal.toString(),
            point.name(),
            Integer.toString(crashAt),
            Long.toString(lease.toMillis())));
  }

  /**
   * Arguments: JDBC URL, job table, dead-letter table, session name, journal file, crash point,
   * which occurrence of it crashes, lease in milliseconds.
   */
  public static void main(String[] args) throws Exception {
    String url = args[0];
    CrashPoint point = CrashPoint.valueOf(args[5]);
    int crashAt = Integer.parseInt(args[6]);
    Duration lease = Duration.ofMillis(Long.parseLong(args[7]));
    HikariDataSource pool = ScenarioTables.pool(TestDatabase.POSTGRESQL, url, args[3], 8);
    Journal journal = new Journal(Path.of(args[4]));
    CrashingStore store =
        new CrashingStore(
            new JdbcStore(
                SqlDialect.of(Dialect.POSTGRESQL, args[1], args[2]), new Transactions(pool)),
            journal,
            point,
            crashAt,
            () -> terminateSessions(url, args[3]));
    Drainer<FaultJob> drainer =
        DrainerBuilder.create(JobCodec.of(FaultJob.class), store)
            .name(args[3])
            .lease(lease)
            .batchSize(20)
            .concurrency(4)
            .pollInterval(Duration.ofMillis(100))
            .maxAttempts(1_000)
            .backoff(Backoff.fixed(Duration.ofMillis(100)))
            .handler(
                job -> {
                  journal.handled(job.id(), job.payload().n());
                  store.reached(CrashPoint.MID_HANDLER);
                  Thread.sleep(WORK.toMillis());
                  return Outcome.done();
                })
            .build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  drainer.close(Duration.ofSeconds(5));
                  pool.close();
                  stopped.countDown();
                }));
    drainer.start();
    stopped.await();
  }

  /**
   * Has the database end every session of this process's pool, from a connection of its own, and
   * waits until they are gone.
   */
  private static int terminateSessions(String url, String sessionName) {
    try (Connection connection = DriverManager.getConnection(url)) {
      return Sessions.terminate(connection, sessionName);
    } catch (SQLException e) {
      throw new IllegalStateException("could not terminate the sessions of " + sessionName, e);
    }
  }
}
