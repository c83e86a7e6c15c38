package dev.outbox.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Records the machine and the PostgreSQL settings that move the figures. */
final class ServerSettings {
  private static final List<String> SETTINGS =
      List.of(
          "shared_buffers",
          "fsync",
          "synchronous_commit",
          "full_page_writes",
          "wal_level",
          "max_wal_size",
          "checkpoint_timeout",
          "work_mem",
          "autovacuum",
          "autovacuum_naptime",
          "track_counts",
          "shared_preload_libraries");

  private ServerSettings() {}

  static void machine(Report report) {
    report.environment(
        "cores (JVM sees)", Integer.toString(Runtime.getRuntime().availableProcessors()));
    report.environment("memory", memory());
    report.environment(
        "JDK",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    report.environment(
        "OS", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    report.environment("JVM heap max", Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
  }

  static void record(Database postgres, Report report) {
    report.environment("PostgreSQL", postgres.queryString("SHOW server_version"));
    StringBuilder text = new StringBuilder();
    for (String name : SETTINGS) {
      if (text.length() > 0) {
        text.append(", ");
      }
      String value = postgres.queryString("SHOW " + name);
      text.append(name).append(" = ").append(value == null || value.isEmpty() ? "''" : value);
    }
    report.environment("PostgreSQL settings", text.toString());
    report.environment("connection pool", "HikariCP, " + Database.POOL_SIZE + " connections");
  }

  /** Current value of one setting, with where it comes from. */
  static Map<String, String> setting(Database postgres, String name) {
    return postgres
        .query(
            "SELECT setting, source, COALESCE(sourcefile, '') AS file FROM pg_settings WHERE name = '"
                + name
                + "'")
        .get(0);
  }

  private static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "unknown";
  }
}
