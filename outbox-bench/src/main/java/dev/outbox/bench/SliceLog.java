package dev.outbox.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Every slice of the interleaved workloads (see {@link Slices}; a slice is one contestant's phase
 * of one cycle), kept so that a ratio can also be read over all of them: the pooled rate of each
 * contestant (all its units over all its time), and how far that ratio moves when the cycles are
 * resampled (a percentile bootstrap over cycles; a cycle is one pass through the contestants, so
 * the two slices of a pair ran within a fraction of a second of each other). The per-round ratio
 * the targets are read from uses 3 or so rounds; this uses every slice of them. Not thread-safe.
 */
final class SliceLog {
  /** Resamples of the bootstrap; the seed is fixed so that one output always reads the same. */
  private static final int RESAMPLES = 4_000;

  /** One slice: units done and seconds taken. */
  private record Slice(long units, double seconds) {}

  private final Map<List<String>, List<Slice>> slices = new LinkedHashMap<>();

  /** Appends the next cycle's slice of one contestant at one setup. */
  void add(String workload, String contestant, String setup, long units, double seconds) {
    slices
        .computeIfAbsent(List.of(workload, contestant, setup), key -> new ArrayList<>())
        .add(new Slice(units, seconds));
  }

  /**
   * The pooled rate of {@code top} over that of {@code bottom}, with the 2.5th and 97.5th
   * percentiles of the same ratio over cycles drawn with replacement; null if either was not
   * sliced.
   */
  Interval pooledRatio(String workload, String[] top, String[] bottom) {
    List<Slice> a = slices.get(List.of(workload, top[0], top[1]));
    List<Slice> b = slices.get(List.of(workload, bottom[0], bottom[1]));
    if (a == null || b == null) {
      return null;
    }
    int cycles = Math.min(a.size(), b.size());
    int[] all = new int[cycles];
    for (int i = 0; i < cycles; i++) {
      all[i] = i;
    }
    double ratio = ratio(a, b, all);
    Random random = new Random(1);
    double[] resampled = new double[RESAMPLES];
    int[] drawn = new int[cycles];
    for (int r = 0; r < RESAMPLES; r++) {
      for (int i = 0; i < cycles; i++) {
        drawn[i] = random.nextInt(cycles);
      }
      resampled[r] = ratio(a, b, drawn);
    }
    Arrays.sort(resampled);
    return new Interval(
        ratio,
        resampled[(int) (RESAMPLES * 0.025)],
        resampled[(int) (RESAMPLES * 0.975) - 1],
        cycles);
  }

  private static double ratio(List<Slice> a, List<Slice> b, int[] cycles) {
    return rate(a, cycles) / rate(b, cycles);
  }

  private static double rate(List<Slice> slices, int[] cycles) {
    long units = 0;
    double seconds = 0;
    for (int i : cycles) {
      units += slices.get(i).units();
      seconds += slices.get(i).seconds();
    }
    return units / seconds;
  }

  /** A pooled ratio, its bootstrap interval, and how many paired cycles it rests on. */
  record Interval(double ratio, double low, double high, int cycles) {
    String format() {
      return String.format(Locale.ROOT, "%.3f (%.3f–%.3f, %d cycles)", ratio, low, high, cycles);
    }
  }
}
