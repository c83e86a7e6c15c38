package dev.outbox.bench;

import dev.outbox.drain.Drainer;
import dev.outbox.job.EnqueueOptions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Workload 3, latency from commit to handler start, open loop: producers commit one job per
 * transaction on a fixed schedule (500 or 2,000 jobs/s) whatever the drainer does; one started
 * drainer (library defaults but a 100 ms poll interval) handles them, polling only or woken by
 * LISTEN/NOTIFY, and woken by LISTEN/NOTIFY with every job under one of 1,000 ordering keys (whose
 * claims still wait for their disk flush, see BENCHMARKS.md point 24; no target). Latency of a job:
 * the handler's first start minus the moment its producer's {@code commit()} returned; p50, p99 and
 * max in milliseconds.
 */
final class LatencyWorkload {
  private static final String W = "latency";
  private static final Duration POLL = Duration.ofMillis(100);
  private static final int PRODUCERS = 4;
  private static final int ORDERING_KEYS = 1_000;
  private static final String POLLING = "outbox, polling";
  private static final String LISTENING = "outbox, LISTEN/NOTIFY";
  private static final String ORDERED = "outbox, LISTEN/NOTIFY, 1,000 ordering keys";

  private final BenchContext context;
  private final JobTable jobs;
  private final Duration duration = Duration.ofSeconds(5);

  LatencyWorkload(BenchContext context) {
    this.context = context;
    this.jobs = context.postgresJobs();
  }

  void run() throws Exception {
    List<Cell> cells = new ArrayList<>();
    for (int rate : List.of(500, 2_000)) {
      cells.add(Cell.of(W, POLLING, rate + " jobs/s", () -> measure(rate, false, false)));
      cells.add(Cell.of(W, LISTENING, rate + " jobs/s", () -> measure(rate, true, false)));
      cells.add(Cell.of(W, ORDERED, rate + " jobs/s", () -> measure(rate, true, true)));
    }
    context
        .rounds()
        .run(cells, context.options().rounds(), context.options().warmUp())
        .forEach(context.report()::add);
    Report report = context.report();
    for (int rate : List.of(500, 2_000)) {
      report.atMost(
          "p99 commit → handler, polling every 100 ms, " + rate + " jobs/s",
          report.median(W, POLLING, rate + " jobs/s", "p99 ms"),
          POLL.toMillis() + 15,
          "ms");
      report.atMost(
          "p99 commit → handler, LISTEN/NOTIFY, " + rate + " jobs/s",
          report.median(W, LISTENING, rate + " jobs/s", "p99 ms"),
          15,
          "ms");
    }
  }

  private RoundResult measure(int rate, boolean listen, boolean ordered) throws Exception {
    jobs.truncate();
    int count = (int) (rate * duration.toSeconds());
    Tally tally = Tally.withTimes(count);
    long[] committed = new long[count];
    Drainer<BenchJob> drainer =
        jobs.outbox()
            .drainer()
            .name("bench-latency")
            .pollInterval(POLL)
            .listen(listen)
            .handler(OutboxDrain.noop(tally))
            .build();
    IoState before = IoState.now(context.postgres());
    drainer.start();
    double achieved = Double.NaN;
    try {
      Thread.sleep(200); // the listener connects and the loop reaches its first pause
      long producing = System.nanoTime();
      produce(rate, count, committed, ordered);
      achieved = count / ((System.nanoTime() - producing) / 1e9);
      tally.await(Duration.ofSeconds(60));
    } finally {
      drainer.close();
    }
    return before.describe(
        latencies(tally, committed).with("committed jobs/s", achieved),
        IoState.now(context.postgres()));
  }

  /**
   * Commits job i at start + i / rate, on one of the producer threads; if {@code ordered}, under
   * ordering key i mod {@link #ORDERING_KEYS}.
   */
  private void produce(int rate, int count, long[] committed, boolean ordered) throws Exception {
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime() + 10_000_000;
    long intervalNanos = 1_000_000_000L / rate;
    Loops producers = new Loops("producer");
    for (int i = 0; i < PRODUCERS; i++) {
      producers.start(
          () -> {
            int seq = next.getAndIncrement();
            if (seq >= count) {
              Thread.sleep(10);
              return true;
            }
            long wait = start + seq * intervalNanos - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
            commitOne(seq, committed, ordered);
            return true;
          });
    }
    while (next.get() < count + PRODUCERS) {
      Thread.sleep(10);
    }
    producers.close();
  }

  private void commitOne(int seq, long[] committed, boolean ordered) throws Exception {
    EnqueueOptions options =
        ordered
            ? EnqueueOptions.defaults().withOrderingKey("key-" + seq % ORDERING_KEYS)
            : EnqueueOptions.defaults();
    try (Connection tx = context.postgres().dataSource().getConnection()) {
      tx.setAutoCommit(false);
      jobs.outbox().enqueue(tx, new BenchJob.Noop(seq), options);
      tx.commit();
      committed[seq] = System.nanoTime();
      tx.setAutoCommit(true);
    }
  }

  private static RoundResult latencies(Tally tally, long[] committed) {
    double[] millis = new double[committed.length];
    int known = 0;
    for (int seq = 0; seq < committed.length; seq++) {
      long handled = tally.firstHandledNanos(seq);
      if (handled != 0 && committed[seq] != 0) {
        millis[known++] = Math.max(0, handled - committed[seq]) / 1e6;
      }
    }
    double[] sorted = Arrays.copyOf(millis, known);
    Arrays.sort(sorted);
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("p50 ms", percentile(sorted, 0.50));
    figures.put("p99 ms", percentile(sorted, 0.99));
    figures.put("max ms", known == 0 ? Double.NaN : sorted[known - 1]);
    return new RoundResult(figures, Double.NaN, tally.lost(), tally.duplicated(), 0);
  }

  private static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
