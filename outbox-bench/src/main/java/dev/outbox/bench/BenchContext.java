package dev.outbox.bench;

import java.io.PrintStream;
import java.time.Duration;

/**
 * What workloads share: the options, the report, the log, and the databases, each opened on first
 * use and closed at the end.
 */
final class BenchContext implements AutoCloseable {
  private final Options options;
  private final Report report;
  private final PrintStream log;
  private Database postgres;
  private Database mariadb;
  private Database h2;
  private JobTable postgresJobs;

  BenchContext(Options options, Report report, PrintStream log) {
    this.options = options;
    this.report = report;
    this.log = log;
  }

  Options options() {
    return options;
  }

  Report report() {
    return report;
  }

  PrintStream log() {
    return log;
  }

  Rounds rounds() {
    return new Rounds(log);
  }

  /** The time one drain run may take before it is reported as incomplete. */
  Duration drainTimeout() {
    return Duration.ofMinutes(10);
  }

  Database postgres() {
    if (postgres == null) {
      postgres = Database.open(Database.Kind.POSTGRESQL);
      ServerSettings.record(postgres, report);
    }
    return postgres;
  }

  /** The library's job table on PostgreSQL, recreated on first use. */
  JobTable postgresJobs() {
    if (postgresJobs == null) {
      postgresJobs = new JobTable(postgres());
      postgresJobs.recreate();
    }
    return postgresJobs;
  }

  Database mariadb() {
    if (mariadb == null) {
      mariadb = Database.open(Database.Kind.MARIADB);
      report.environment(
          "MariaDB", mariadb.queryString("SELECT VERSION()") + ", InnoDB, default settings");
    }
    return mariadb;
  }

  Database h2() {
    if (h2 == null) {
      h2 = Database.open(Database.Kind.H2);
      report.environment("H2", org.h2.engine.Constants.FULL_VERSION + ", in memory");
    }
    return h2;
  }

  @Override
  public void close() {
    for (Database db : new Database[] {postgres, mariadb, h2}) {
      if (db != null) {
        db.close();
      }
    }
  }
}
