package dev.outbox.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One round of an interleaved workload in a JVM of its own (see {@link Slices}): the parent starts
 * this same program with the workload's fork command and {@code --forked-round=N}; the child runs
 * its warm-up and that round and writes each slice and result to its standard output as one
 * tab-separated line after {@link #MARK}, which the parent reads back. The child's log goes to the
 * parent's standard error as it comes.
 */
final class Fork {
  private Fork() {}

  /** Starts each line meant for the parent; any other line is passed on to the log. */
  static final String MARK = "@fork";

  /** The child's side: every slice and result of the round, as lines on standard output. */
  static final Slices.Sink TO_PARENT =
      new Slices.Sink() {
        private final PrintStream out = System.out;

        @Override
        public void slice(int number, String contestant, String setup, long units, double seconds) {
          out.println(
              String.join("\t", MARK, "slice", contestant, setup, "" + units, "" + seconds));
        }

        @Override
        public void result(int number, String contestant, String setup, RoundResult result) {
          List<String> fields =
              new ArrayList<>(
                  List.of(MARK, "result", contestant, setup, "" + result.statementsPerJob()));
          result
              .figures()
              .forEach(
                  (name, value) -> {
                    fields.add(name);
                    fields.add("" + value);
                  });
          out.println(String.join("\t", fields));
          out.flush();
        }
      };

  /**
   * The parent's side: runs round {@code number} of {@code command} in a new JVM with this one's
   * class path and JVM options, and hands what it measured to {@code sink}.
   *
   * @throws IllegalStateException if the child fails
   */
  static void run(BenchContext context, String command, int number, Slices.Sink sink)
      throws Exception {
    List<String> line = new ArrayList<>();
    line.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    line.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    line.add("-cp");
    line.add(System.getProperty("java.class.path"));
    line.add(Bench.class.getName());
    line.add(command);
    line.add("--forked-round=" + number);
    line.add("--seed=" + context.options().seed());
    if (!context.options().warmUp()) {
      line.add("--no-warmup");
    }
    Process child = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String text = out.readLine(); text != null; text = out.readLine()) {
        String[] field = text.split("\t", -1);
        if (!field[0].equals(MARK)) {
          context.log().println(text);
        } else if (field[1].equals("slice")) {
          sink.slice(
              number, field[2], field[3], Long.parseLong(field[4]), Double.parseDouble(field[5]));
        } else {
          Map<String, Double> figures = new LinkedHashMap<>();
          for (int i = 5; i + 1 < field.length; i += 2) {
            figures.put(field[i], Double.parseDouble(field[i + 1]));
          }
          sink.result(
              number,
              field[2],
              field[3],
              RoundResult.figures(figures, Double.parseDouble(field[4])));
        }
      }
    }
    int exit = child.waitFor();
    if (exit != 0) {
      throw new IllegalStateException(
          "round "
              + number
              + " of '"
              + command
              + "' in its own JVM failed with exit code "
              + exit
              + "; its log is above. Run with --no-fork to run the rounds in this JVM.");
    }
  }
}
