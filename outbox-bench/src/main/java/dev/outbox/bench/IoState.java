package dev.outbox.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What else the machine was doing around a measurement: the operating system's dirty and
 * in-writeback page cache (Linux {@code /proc/meminfo}), the time PostgreSQL's checkpointer spent
 * writing and syncing ({@code pg_stat_bgwriter}), and this JVM's time in garbage collection. A
 * latency figure read beside these says whether a slow round met a checkpoint's flush or a pause.
 *
 * @param dirtyKib dirty plus writeback page cache, KiB, or -1 off Linux
 * @param checkpointMillis checkpoint write and sync time so far, ms
 * @param gcMillis collection time so far, ms
 */
record IoState(long dirtyKib, double checkpointMillis, long gcMillis) {

  static IoState now(Database postgres) {
    double checkpoint =
        Double.parseDouble(
            postgres.queryString(
                "SELECT checkpoint_write_time + checkpoint_sync_time FROM pg_stat_bgwriter"));
    long gc = 0;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += Math.max(0, collector.getCollectionTime());
    }
    return new IoState(readDirtyKib(), checkpoint, gc);
  }

  /** Adds "dirty MB" at this state, and checkpoint and GC time since it until {@code end}. */
  RoundResult describe(RoundResult result, IoState end) {
    return result
        .with("dirty MB", dirtyKib < 0 ? Double.NaN : dirtyKib / 1024.0)
        .with("ckpt ms", end.checkpointMillis - checkpointMillis)
        .with("gc ms", end.gcMillis - gcMillis);
  }

  private static long readDirtyKib() {
    try {
      long kib = 0;
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("Dirty:") || line.startsWith("Writeback:")) {
          kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      return kib;
    } catch (IOException | RuntimeException e) {
      return -1; // not Linux
    }
  }
}
