package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.jdbc.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Scenario 2: drainers in separate JVM processes on PostgreSQL are killed ({@link Runtime#halt}) at
 * every point of the drain cycle and restarted, while their sessions are terminated from the
 * database side ({@code pg_terminate_backend}). Survivors finish the work after the leases expire.
 * Nothing may be lost, and every job that ran more than once must have run in a process that was
 * killed, or in a batch whose completion was lost with its session or fenced.
 */
class CrashedDrainersTest {
  private static final int JOBS = 3_000;
  private static final int SLOTS = 3;
  private static final int KILLS_PER_POINT = 2;
  private static final int TERMINATION_ROUNDS = 8;
  private static final Duration LEASE = Duration.ofSeconds(5);
  private static final Path LOGS = Path.of("target", "crashed-drainers");

  private record Incarnation(String name, CrashPoint point, Process process, Path journal) {}

  @Test
  void drainersKilledAtEveryPointOfTheCycleLoseNothingAndEveryRepeatIsExplained() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Figures figures = Figures.of("2 crashed drainers, POSTGRESQL (seed " + seed + ")");
    Files.createDirectories(LOGS);
    try (ScenarioTables tables = ScenarioTables.create(TestDatabase.POSTGRESQL, 4)) {
      tables.enqueueWork(JOBS);
      Deque<CrashPoint> plan = new ArrayDeque<>();
      for (int k = 0; k < KILLS_PER_POINT; k++) {
        for (CrashPoint point : CrashPoint.values()) {
          if (point.halts()) {
            plan.add(point);
          }
        }
      }
      List<Incarnation> all = new ArrayList<>();
      Incarnation[] slots = new Incarnation[SLOTS];
      AtomicInteger terminated = new AtomicInteger();
      AtomicBoolean draining = new AtomicBoolean(true);
      Thread terminator = new Thread(() -> terminate(tables, terminated, draining));
      try {
        for (int s = 0; s < SLOTS; s++) {
          slots[s] = launch(tables, all, plan.poll(), random);
        }
        terminator.start();
        crashEveryPlannedProcess(tables, all, slots, plan, random);
        slots[0] = launch(tables, all, CrashPoint.SESSIONS_LOST_BEFORE_COMPLETION, random);
        for (int s = 1; s < SLOTS; s++) {
          slots[s] = launch(tables, all, CrashPoint.NONE, random);
        }
        Await.until(
            Duration.ofMinutes(2), "the survivors drain the table", () -> tables.pending() == 0);
      } finally {
        draining.set(false);
        terminator.join(30_000);
        for (Incarnation incarnation : all) {
          incarnation.process().destroy(); // SIGTERM: survivors close their drainers
        }
        for (Incarnation incarnation : all) {
          incarnation.process().waitFor(30, TimeUnit.SECONDS);
          incarnation.process().destroyForcibly();
        }
      }
      Tally tally = Tally.of(all);
      Map<CrashPoint, Long> kills = new EnumMap<>(CrashPoint.class);
      int sessionsLost = 0;
      for (Incarnation incarnation : all) {
        Journal.Entries entries = Journal.Entries.read(incarnation.journal());
        if (entries.crashedAt() != null) {
          kills.merge(CrashPoint.valueOf(entries.crashedAt()), 1L, Long::sum);
        }
        sessionsLost += entries.sessionsLost();
      }
      long lost = LongStream.range(0, JOBS).filter(n -> !tally.runs.containsKey(n)).count();
      figures
          .put("jobs", JOBS)
          .put("processes", all.size())
          .put("kills", kills)
          .put("sessions terminated at random", terminated.get())
          .put("sessions terminated before a completion", sessionsLost)
          .put("lost", lost)
          .put("duplicated", tally.duplicated)
          .put("explained by a kill", tally.explainedByKill)
          .put("explained by a lost session", tally.explainedBySession)
          .put("explained by a fenced completion", tally.explainedByFencing)
          .put("unexplained", tally.unexplained)
          .put("dead-lettered", tables.deadLettered())
          .print();
      assertEquals(0, lost, "jobs never handled");
      assertEquals(0, tally.unexplained, "repeated runs no kill, lost session or fencing explains");
      assertEquals(0, tables.pending());
      assertEquals(0, tables.deadLettered());
      assertEquals(KILLS_PER_POINT * 4L, kills.values().stream().mapToLong(k -> k).sum());
      assertTrue(terminated.get() > 0, "no session was terminated at random");
      assertTrue(sessionsLost > 0, "no session was terminated before a completion");
    }
  }

  private static Incarnation launch(
      ScenarioTables tables, List<Incarnation> all, CrashPoint point, Random random)
      throws Exception {
    String name = "drainer-" + all.size() + "-" + point.name().toLowerCase();
    Path journal = LOGS.resolve(tables.prefix + "-" + name + ".journal");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx128m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Duser.timezone=" + TestDatabase.ZONE,
            "-cp",
            System.getProperty("java.class.path"),
            DrainerProcess.class.getName()));
    command.addAll(
        DrainerProcess.arguments(
            tables.url,
            tables.jobTable(),
            tables.deadLetterTable(),
            tables.sessionTag() + "-drainer-" + all.size(), // PostgreSQL keeps 63 characters
            journal,
            point,
            1 + random.nextInt(3),
            LEASE));
    Path log = LOGS.resolve(tables.prefix + "-" + name + ".log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Incarnation incarnation = new Incarnation(name, point, process, journal);
    all.add(incarnation);
    return incarnation;
  }

  /** Restarts each crashed process with the next planned crash until every plan has crashed. */
  private static void crashEveryPlannedProcess(
      ScenarioTables tables,
      List<Incarnation> all,
      Incarnation[] slots,
      Deque<CrashPoint> plan,
      Random random)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (true) {
      boolean alive = false;
      for (int s = 0; s < SLOTS; s++) {
        if (slots[s] != null && !slots[s].process().isAlive()) {
          assertCrashedAsPlanned(slots[s]);
          slots[s] = plan.isEmpty() ? null : launch(tables, all, plan.poll(), random);
        }
        alive |= slots[s] != null;
      }
      if (!alive) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "planned crashes did not happen; see " + LOGS);
      Thread.sleep(50);
    }
  }

  private static void assertCrashedAsPlanned(Incarnation incarnation) throws Exception {
    String why = "process " + incarnation.name() + " ended unexpectedly; see its log in " + LOGS;
    assertTrue(incarnation.point().halts(), why);
    assertEquals(CrashPoint.EXIT_STATUS, incarnation.process().exitValue(), why);
    assertEquals(
        incarnation.point().name(), Journal.Entries.read(incarnation.journal()).crashedAt(), why);
  }

  /** Terminates the drainers' sessions every 700 ms, a few times, while there is work. */
  private static void terminate(
      ScenarioTables tables, AtomicInteger terminated, AtomicBoolean draining) {
    int rounds = 0;
    try {
      while (draining.get() && rounds < TERMINATION_ROUNDS) {
        Thread.sleep(700);
        int ended = tables.terminateSessions("drainer-");
        if (ended > 0) {
          terminated.addAndGet(ended);
          rounds++;
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("terminating sessions failed", e);
    }
  }

  /**
   * Every handler run of every process, and which runs a kill, lost session or fencing explains.
   */
  private static final class Tally {
    final Map<Long, Integer> runs = new HashMap<>();
    final Map<Long, Integer> doomed = new HashMap<>();
    final Map<Long, String> cause = new HashMap<>();
    long duplicated;
    long explainedByKill;
    long explainedBySession;
    long explainedByFencing;
    long unexplained;

    static Tally of(List<Incarnation> all) throws Exception {
      Tally tally = new Tally();
      for (Incarnation incarnation : all) {
        Journal.Entries entries = Journal.Entries.read(incarnation.journal());
        boolean killed = entries.crashedAt() != null;
        for (long[] run : entries.handled()) {
          long id = run[0];
          long n = run[1];
          tally.runs.merge(n, 1, Integer::sum);
          String why =
              killed
                  ? "kill"
                  : entries.unconfirmed().contains(id)
                      ? "session"
                      : entries.fenced().contains(id) ? "fencing" : null;
          if (why != null) {
            tally.doomed.merge(n, 1, Integer::sum);
            tally.cause.putIfAbsent(n, why);
          }
        }
      }
      tally.runs.forEach(tally::explain);
      return tally;
    }

    /** A job run {@code count} times needs {@code count - 1} runs that could not have finished. */
    private void explain(long n, int count) {
      int repeats = count - 1;
      if (repeats == 0) {
        return;
      }
      duplicated += repeats;
      int explained = Math.min(repeats, doomed.getOrDefault(n, 0));
      unexplained += repeats - explained;
      switch (cause.getOrDefault(n, "none")) {
        case "kill" -> explainedByKill += explained;
        case "session" -> explainedBySession += explained;
        case "fencing" -> explainedByFencing += explained;
        default -> {}
      }
    }
  }
}
