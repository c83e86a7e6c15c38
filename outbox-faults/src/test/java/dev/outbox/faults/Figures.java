package dev.outbox.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The figures of one scenario run (lost, duplicated, dead-lettered, …): printed to standard output
 * and appended to {@code target/fault-figures.txt}, where RELIABILITY.md takes them from.
 */
final class Figures {
  static final Path FILE = Path.of("target", "fault-figures.txt");

  private final String scenario;
  private final long startNanos = System.nanoTime();
  private final Map<String, Object> values = new LinkedHashMap<>();

  private Figures(String scenario) {
    this.scenario = scenario;
  }

  /** Starts the clock of a scenario. */
  static Figures of(String scenario) {
    return new Figures(scenario);
  }

  Figures put(String name, Object value) {
    values.put(name, value);
    return this;
  }

  /** Prints the figures with the time since {@link #of}; call it before the assertions. */
  void print() {
    Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
    String line =
        String.format(
            Locale.ROOT,
            "FIGURES %s: %s; took %.1f s",
            scenario,
            values.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ")),
            took.toMillis() / 1000.0);
    System.out.println(line);
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(
          FILE,
          line + System.lineSeparator(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("could not record the figures in " + FILE, e);
    }
  }
}
