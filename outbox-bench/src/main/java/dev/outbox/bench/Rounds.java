package dev.outbox.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the cells of a workload: an optional warm-up pass whose figures are dropped, then {@code
 * rounds} rounds in which every cell runs once, contestants alternating within the round (the order
 * is reversed every other round, so that no contestant always follows the same one). Prints each
 * result as it comes.
 */
final class Rounds {
  private final PrintStream log;

  Rounds(PrintStream log) {
    this.log = log;
  }

  /** Runs and returns each cell's results, in the cells' order. */
  Map<Cell, List<RoundResult>> run(List<Cell> cells, int rounds, boolean warmUp) throws Exception {
    Map<Cell, List<RoundResult>> results = new LinkedHashMap<>();
    cells.forEach(cell -> results.put(cell, new ArrayList<>()));
    if (warmUp) {
      for (Cell cell : cells) {
        log.printf("warm-up  %s: %s%n", cell, describe(cell.run()));
      }
    }
    for (int round = 1; round <= rounds; round++) {
      List<Cell> order = new ArrayList<>(cells);
      if (round % 2 == 0) {
        java.util.Collections.reverse(order);
      }
      for (Cell cell : order) {
        RoundResult result = cell.run();
        results.get(cell).add(result);
        log.printf("round %d  %s: %s%n", round, cell, describe(result));
      }
    }
    return results;
  }

  private static String describe(RoundResult result) {
    StringBuilder text = new StringBuilder();
    result
        .figures()
        .forEach(
            (name, value) ->
                text.append(Report.format(value)).append(' ').append(name).append("  "));
    if (!Double.isNaN(result.statementsPerJob())) {
      text.append(
          String.format(java.util.Locale.ROOT, "%.3f stmts/job  ", result.statementsPerJob()));
    }
    text.append("lost ").append(result.lost()).append(", dup ").append(result.duplicated());
    text.append(", left ").append(result.leftOver());
    return text.toString();
  }
}
