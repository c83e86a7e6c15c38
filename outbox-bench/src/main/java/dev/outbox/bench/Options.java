package dev.outbox.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line: workload names, then {@code --jobs=N}, {@code --rounds=N}, {@code --no-warmup},
 * {@code --no-fork}, {@code --seed=N}. No workload means {@code quick}.
 *
 * @param workloads the workloads to run, in order
 * @param jobs prefilled jobs per drain run (the 50,000 by default; 20,000 in quick)
 * @param rounds measured rounds per workload, at least 3 for a figure worth keeping
 * @param warmUp whether each workload runs one unrecorded pass first
 * @param fork whether the interleaved workloads run each round in a JVM of its own (see {@link
 *     Slices})
 * @param forkedRound in such a JVM, the round it runs ({@code --forked-round=N}, set by the
 *     parent); null in the parent
 * @param seed what the interleaved workloads draw their order of contestants from; a new one each
 *     run unless given, so that no run repeats another's order (it is printed with the figures)
 */
record Options(
    List<String> workloads,
    int jobs,
    int rounds,
    boolean warmUp,
    boolean fork,
    Integer forkedRound,
    long seed) {
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
      "usage: java -jar outbox-bench.jar [workload ...] [--jobs=N] [--rounds=N] [--no-warmup]"
          + " [--no-fork] [--seed=N]\n"
          + "workloads: quick (default: core and peers at 20,000 jobs), core, drain, ordered,"
          + " peers, enqueue, hibernate, latency, backlog, memory, txhandler, forward, mariadb, h2, all,"
          + " jmh [JMH options]";

  static Options parse(String[] args) {
    Set<String> workloads = new LinkedHashSet<>();
    Integer jobs = null;
    int rounds = 3;
    boolean warmUp = true;
    boolean fork = true;
    Integer forkedRound = null;
    long seed = new java.security.SecureRandom().nextLong() >>> 16;
    for (String arg : args) {
      if (arg.startsWith("--jobs=")) {
        jobs = Integer.parseInt(arg.substring("--jobs=".length()).replace("_", ""));
      } else if (arg.startsWith("--rounds=")) {
        rounds = Integer.parseInt(arg.substring("--rounds=".length()));
      } else if (arg.equals("--no-warmup")) {
        warmUp = false;
      } else if (arg.equals("--no-fork")) {
        fork = false;
      } else if (arg.startsWith("--seed=")) {
        seed = Long.parseLong(arg.substring("--seed=".length()));
      } else if (arg.startsWith("--forked-round=")) {
        forkedRound = Integer.parseInt(arg.substring("--forked-round=".length()));
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
        new ArrayList<>(workloads),
        jobs == null ? defaultJobs : jobs,
        rounds,
        warmUp,
        fork,
        forkedRound,
        seed);
  }
}
