package dev.outbox.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line: workload names, then {@code --jobs=N}, {@code --rounds=N}, {@code --no-warmup}.
 * No workload means {@code quick}.
 *
 * @param workloads the workloads to run, in order
 * @param jobs prefilled jobs per drain run (the 50,000 by default; 20,000 in quick)
 * @param rounds measured rounds per workload, at least 3 for a figure worth keeping
 * @param warmUp whether each workload runs one unrecorded pass first
 */
record Options(List<String> workloads, int jobs, int rounds, boolean warmUp) {
  static final List<String> ALL =
      List.of(
          "drain",
          "ordered",
          "peers",
          "enqueue",
          "hibernate",
          "latency",
          "backlog",
          "memory",
          "txhandler",
          "forward",
          "mariadb",
          "h2");

  static final String USAGE =
      "usage: java -jar outbox-bench.jar [workload ...] [--jobs=N] [--rounds=N] [--no-warmup]\n"
          + "workloads: quick (default: core and peers at 20,000 jobs), core, drain, ordered,"
          + " peers, enqueue, hibernate, latency, backlog, memory, txhandler, forward, mariadb, h2, all,"
          + " jmh [JMH options]";

  static Options parse(String[] args) {
    Set<String> workloads = new LinkedHashSet<>();
    Integer jobs = null;
    int rounds = 3;
    boolean warmUp = true;
    for (String arg : args) {
      if (arg.startsWith("--jobs=")) {
        jobs = Integer.parseInt(arg.substring("--jobs=".length()).replace("_", ""));
      } else if (arg.startsWith("--rounds=")) {
        rounds = Integer.parseInt(arg.substring("--rounds=".length()));
      } else if (arg.equals("--no-warmup")) {
        warmUp = false;
      } else if (arg.equals("all")) {
        workloads.addAll(ALL);
      } else if (arg.equals("quick")) {
        workloads.add("core");
        workloads.add("quick-peers");
      } else if (arg.startsWith("-")) {
        throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
      } else {
        workloads.add(arg);
      }
    }
    boolean quick = workloads.isEmpty();
    if (quick) {
      workloads.add("core");
      workloads.add("quick-peers");
    }
    int defaultJobs = quick || workloads.contains("quick-peers") ? 20_000 : 50_000;
    return new Options(
        new ArrayList<>(workloads), jobs == null ? defaultJobs : jobs, rounds, warmUp);
  }
}
