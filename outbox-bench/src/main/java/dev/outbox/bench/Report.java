package dev.outbox.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a run measured, printed at the end as Markdown tables: the machine and server
 * settings, one line per figure (median, min, max over the rounds, statements per job, lost,
 * duplicated, rows left), and the ratios against the targets. Not thread-safe.
 */
final class Report {
  private final Map<String, String> environment = new LinkedHashMap<>();
  private final Map<String, Line> lines = new LinkedHashMap<>();
  private final List<Ratio> ratios = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final SliceLog slices = new SliceLog();

  /** One figure of one cell over the rounds. */
  record Line(
      String workload,
      String contestant,
      String setup,
      String figure,
      Series series,
      double statementsPerJob,
      int lost,
      int duplicated,
      long leftOver) {}

  /**
   * A ratio between two figures of the same run, and the target it is held to.
   *
   * @param met null when the ratio has no target (for information)
   */
  record Ratio(String what, double value, String target, Boolean met, String pooled) {}

  /** Where the sliced workloads record each slice. */
  SliceLog slices() {
    return slices;
  }

  void environment(String name, String value) {
    environment.put(name, value);
  }

  void note(String note) {
    notes.add(note);
  }

  /** Adds the rounds of one cell. */
  void add(Cell cell, List<RoundResult> rounds) {
    if (rounds.isEmpty()) {
      return;
    }
    for (String figure : rounds.get(0).figures().keySet()) {
      List<Double> values = new ArrayList<>();
      rounds.forEach(round -> values.add(round.figures().getOrDefault(figure, Double.NaN)));
      List<Double> statements = new ArrayList<>();
      rounds.forEach(round -> statements.add(round.statementsPerJob()));
      lines.put(
          key(cell.workload(), cell.contestant(), cell.setup(), figure),
          new Line(
              cell.workload(),
              cell.contestant(),
              cell.setup(),
              figure,
              new Series(values),
              new Series(statements).median(),
              rounds.stream().mapToInt(RoundResult::lost).sum(),
              rounds.stream().mapToInt(RoundResult::duplicated).sum(),
              rounds.stream().mapToLong(RoundResult::leftOver).max().orElse(0)));
    }
  }

  /** The median of a figure, or NaN if it was not measured. */
  double median(String workload, String contestant, String setup, String figure) {
    Line line = lines.get(key(workload, contestant, setup, figure));
    return line == null ? Double.NaN : line.series().median();
  }

  /**
   * The median over the rounds of one figure divided by another in the same round. On a noisy
   * machine this is steadier than a ratio of medians: the two cells ran one after the other.
   */
  double pairedRatio(String workload, String figure, String[] top, String[] bottom) {
    Line a = lines.get(key(workload, top[0], top[1], figure));
    Line b = lines.get(key(workload, bottom[0], bottom[1], figure));
    if (a == null || b == null) {
      return Double.NaN;
    }
    List<Double> ratios = new ArrayList<>();
    int rounds = Math.min(a.series().values().size(), b.series().values().size());
    for (int i = 0; i < rounds; i++) {
      ratios.add(a.series().values().get(i) / b.series().values().get(i));
    }
    return new Series(ratios).median();
  }

  /** Records a ratio; {@code atLeast} null for a ratio without a target. */
  void ratio(String what, double value, Double atLeast) {
    ratio(what, value, atLeast, null);
  }

  /**
   * Records the paired ratio of two sliced contestants at one setup (see {@link #pairedRatio}),
   * beside their pooled ratio over every slice with its bootstrap interval (see {@link SliceLog});
   * {@code figure} is the unit the contestants were sliced in.
   */
  void slicedRatio(
      String what,
      String workload,
      String figure,
      String top,
      String bottom,
      String setup,
      Double atLeast) {
    String[] a = {top, setup};
    String[] b = {bottom, setup};
    ratio(
        what + ", " + setup,
        pairedRatio(workload, figure, a, b),
        atLeast,
        slices.pooledRatio(workload, a, b));
  }

  private void ratio(String what, double value, Double atLeast, SliceLog.Interval pooled) {
    if (Double.isNaN(value)) {
      return;
    }
    String target = atLeast == null ? "" : "≥ " + format(atLeast);
    ratios.add(
        new Ratio(
            what,
            value,
            target,
            atLeast == null ? null : value >= atLeast,
            pooled == null ? "" : pooled.format()));
  }

  /** Records a figure held to an upper bound, such as a latency or a heap size. */
  void atMost(String what, double value, double limit, String unit) {
    if (!Double.isNaN(value)) {
      ratios.add(
          new Ratio(what + " (" + unit + ")", value, "≤ " + format(limit), value <= limit, ""));
    }
  }

  void print(PrintStream out) {
    out.println();
    out.println("## Environment");
    out.println();
    out.println("| | |");
    out.println("|---|---|");
    environment.forEach((name, value) -> out.println("| " + name + " | " + value + " |"));
    out.println();
    out.println("## Figures (median, min, max over the rounds)");
    out.println();
    out.println(
        "| workload | contestant | setup | figure | median | min | max | stmts/job |"
            + " lost | dup | left |");
    out.println("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Line line : lines.values()) {
      out.println(row(line));
    }
    printRatios(out);
    if (!notes.isEmpty()) {
      out.println();
      out.println("## Notes");
      out.println();
      notes.forEach(note -> out.println("- " + note));
    }
  }

  private void printRatios(PrintStream out) {
    out.println();
    out.println("## Ratios and targets");
    out.println();
    out.println(
        "Throughput ratios are the median over the rounds of each round's ratio (the two cells of"
            + " a round ran back to back).");
    out.println();
    out.println(
        "Where two contestants ran interleaved in short phases, the last column gives their ratio over"
            + " every slice of every round pooled, with the 2.5th–97.5th percentiles of it when the"
            + " rounds, and the cycles within each, are drawn with replacement: how far the noise"
            + " could move it. Each round of those ran in a JVM of its own unless --no-fork.");
    out.println();
    out.println("| what | value | target | | all slices pooled (95% interval) |");
    out.println("|---|---:|---|---|---|");
    for (Ratio ratio : ratios) {
      String verdict = ratio.met() == null ? "" : ratio.met() ? "met" : "**missed**";
      out.println(
          "| "
              + ratio.what()
              + " | "
              + formatRatio(ratio.value())
              + " | "
              + ratio.target()
              + " | "
              + verdict
              + " | "
              + ratio.pooled()
              + " |");
    }
  }

  private static String row(Line line) {
    return "| "
        + String.join(
            " | ",
            line.workload(),
            line.contestant(),
            line.setup(),
            line.figure(),
            format(line.series().median()),
            format(line.series().min()),
            format(line.series().max()),
            Double.isNaN(line.statementsPerJob())
                ? ""
                : String.format(Locale.ROOT, "%.3f", line.statementsPerJob()),
            Integer.toString(line.lost()),
            Integer.toString(line.duplicated()),
            Long.toString(line.leftOver()))
        + " |";
  }

  /** Large values with thousands separators, small ones with two decimals. */
  static String format(double value) {
    if (Double.isNaN(value)) {
      return "–";
    }
    if (Math.abs(value) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    return String.format(Locale.ROOT, "%.2f", value);
  }

  /**
   * A value in the ratios table: under 10 to three decimals, so that a ratio just under its target
   * does not print as the target itself; larger ones (rows/s, events/s, ms, MB) as {@link #format}.
   */
  private static String formatRatio(double value) {
    return Math.abs(value) < 10 ? String.format(Locale.ROOT, "%.3f", value) : format(value);
  }

  private static String key(String workload, String contestant, String setup, String figure) {
    return workload + "\u0000" + contestant + "\u0000" + setup + "\u0000" + figure;
  }
}
