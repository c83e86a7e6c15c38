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
 * contestant (all its units over all its time), and how far that ratio moves when the data are
 * resampled. The bootstrap has two stages, as the data have two levels: it draws rounds with
 * replacement, then cycles within each drawn round (a cycle is one pass through the contestants, so
 * the two slices of a pair ran within a fraction of a second of each other). Rounds run in JVMs of
 * their own, and what a JVM compiled moves every cycle of its round alike, so drawing cycles alone
 * would take 750 cycles for 750 independent samples and draw the interval too narrow. The per-round
 * ratio the targets are read from uses 3 or so rounds; this uses every slice of them. Not
 * thread-safe.
 */
final class SliceLog {
  /** Resamples of the bootstrap; the seed is fixed so that one output always reads the same. */
  private static final int RESAMPLES = 4_000;

  /** One slice: units done and seconds taken. */
  private record Slice(long units, double seconds) {}

  /** Per workload, contestant and setup: per round, the slices in cycle order. */
  private final Map<List<String>, Map<Integer, List<Slice>>> slices = new LinkedHashMap<>();

  /** Appends the next cycle's slice of one contestant at one setup in round {@code round}. */
  void add(
      String workload, String contestant, String setup, int round, long units, double seconds) {
    slices
        .computeIfAbsent(List.of(workload, contestant, setup), key -> new LinkedHashMap<>())
        .computeIfAbsent(round, key -> new ArrayList<>())
        .add(new Slice(units, seconds));
  }

  /**
   * The pooled rate of {@code top} over that of {@code bottom}, with the 2.5th and 97.5th
   * percentiles of the same ratio over rounds drawn with replacement and cycles drawn with
   * replacement within each; null if either was not sliced.
   */
  Interval pooledRatio(String workload, String[] top, String[] bottom) {
    Map<Integer, List<Slice>> a = slices.get(List.of(workload, top[0], top[1]));
    Map<Integer, List<Slice>> b = slices.get(List.of(workload, bottom[0], bottom[1]));
    if (a == null || b == null) {
      return null;
    }
    // Per round both had, the pairs of slices of one cycle.
    List<Slice[][]> rounds = new ArrayList<>();
    int cycles = 0;
    for (Map.Entry<Integer, List<Slice>> round : a.entrySet()) {
      List<Slice> other = b.get(round.getKey());
      if (other == null) {
        continue;
      }
      int n = Math.min(round.getValue().size(), other.size());
      Slice[][] pairs = new Slice[n][];
      for (int i = 0; i < n; i++) {
        pairs[i] = new Slice[] {round.getValue().get(i), other.get(i)};
      }
      rounds.add(pairs);
      cycles += n;
    }
    if (cycles == 0) {
      return null;
    }
    Sums all = new Sums();
    rounds.forEach(pairs -> all.addAll(pairs));
    Random random = new Random(1);
    double[] resampled = new double[RESAMPLES];
    for (int r = 0; r < RESAMPLES; r++) {
      Sums drawn = new Sums();
      for (int i = 0; i < rounds.size(); i++) {
        Slice[][] pairs = rounds.get(random.nextInt(rounds.size()));
        for (int j = 0; j < pairs.length; j++) {
          drawn.add(pairs[random.nextInt(pairs.length)]);
        }
      }
      resampled[r] = drawn.ratio();
    }
    Arrays.sort(resampled);
    return new Interval(
        all.ratio(),
        resampled[(int) (RESAMPLES * 0.025)],
        resampled[(int) (RESAMPLES * 0.975) - 1],
        cycles,
        rounds.size());
  }

  /** Units and seconds of the top and the bottom contestant, summed over pairs of slices. */
  private static final class Sums {
    private long topUnits;
    private double topSeconds;
    private long bottomUnits;
    private double bottomSeconds;

    void add(Slice[] pair) {
      topUnits += pair[0].units();
      topSeconds += pair[0].seconds();
      bottomUnits += pair[1].units();
      bottomSeconds += pair[1].seconds();
    }

    void addAll(Slice[][] pairs) {
      for (Slice[] pair : pairs) {
        add(pair);
      }
    }

    double ratio() {
      return (topUnits / topSeconds) / (bottomUnits / bottomSeconds);
    }
  }

  /** A pooled ratio, its bootstrap interval, and how many paired cycles and rounds it rests on. */
  record Interval(double ratio, double low, double high, int cycles, int rounds) {
    String format() {
      return String.format(
          Locale.ROOT, "%.3f (%.3f–%.3f, %d cycles, %d rounds)", ratio, low, high, cycles, rounds);
    }
  }
}
