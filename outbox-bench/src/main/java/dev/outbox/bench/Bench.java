package dev.outbox.bench;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * Runs the benchmarks named on the command line against the local databases and prints a table of
 * figures and ratios. See {@code BENCHMARKS.md} at the root of the repository for the command, the
 * workloads and the figures of a recorded run; {@code jmh} runs the micro-benchmarks instead.
 */
public final class Bench {
  private Bench() {}

  /** Entry point; see {@link Options#USAGE}. */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("jmh")) {
      org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    // The JDK's HttpServer (the test Event API server) otherwise answers with Nagle's algorithm
    // on, and each request waits out the client's delayed ACK: 40 ms of nothing per request.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    PrintStream log = System.err;
    Report report = new Report();
    ServerSettings.machine(report);
    report.environment(
        "peers",
        "db-scheduler 16.12.0 (one-time tasks, pollUsingLockAndFetch(1.0, 4.0), polling 100 ms);"
            + " transaction-outbox 4.2.268 (POSTGRESQL_9 dialect, flush batch 4096)");
    report.environment("logging", "slf4j-simple at WARN for every library");
    report.environment(
        "run",
        "workloads "
            + options.workloads()
            + ", "
            + options.jobs()
            + " jobs per drain, "
            + options.rounds()
            + " rounds"
            + (options.warmUp() ? " after a warm-up" : "")
            + (options.fork() ? ", interleaved rounds each in a JVM of its own" : "")
            + ", seed "
            + options.seed());
    try (BenchContext context = new BenchContext(options, report, log)) {
      for (String workload : options.workloads()) {
        log.println("== " + workload);
        run(workload, context);
      }
    } finally {
      // A forked round's standard output is for its parent (see Fork).
      if (options.forkedRound() == null) {
        report.print(System.out);
      }
    }
  }

  private static void run(String workload, BenchContext context) throws Exception {
    switch (workload) {
      case "core" -> new DrainWorkload(context).core();
      case "drain" -> new DrainWorkload(context).full();
      case "ordered" -> new DrainWorkload(context).ordered();
      case "peers" -> new DrainWorkload(context).peers(false);
      case "quick-peers" -> new DrainWorkload(context).peers(true);
      case "enqueue" -> new EnqueueWorkload(context).run();
      case EnqueueWorkload.FORK -> new EnqueueWorkload(context).singleInserts();
      case "hibernate" -> new HibernateWorkload(context).run();
      case HibernateWorkload.FORK -> new HibernateWorkload(context).forked();
      case "latency" -> new LatencyWorkload(context).run();
      case "backlog" -> new BacklogWorkload(context).run();
      case "memory" -> new BacklogWorkload(context).memory();
      case "txhandler" -> new TransactionalWorkload(context).run();
      case "forward" -> new ForwardWorkload(context).run();
      case "mariadb" -> new OtherDatabasesWorkload(context).run(context.mariadb());
      case "h2" -> new OtherDatabasesWorkload(context).run(context.h2());
      default ->
          throw new IllegalArgumentException(
              "unknown workload '" + workload + "'\n" + Options.USAGE);
    }
  }
}
