package dev.outbox.faults;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.DrainerBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Several started drainers on the same tables, each with its own pool, as separate application
 * instances would run them. Closing the fleet closes every drainer gracefully.
 */
final class DrainerFleet implements AutoCloseable {
  private final List<Drainer<FaultJob>> drainers = new ArrayList<>();
  private final List<HikariDataSource> pools = new ArrayList<>();

  private DrainerFleet() {}

  /**
   * Starts {@code count} drainers polling every 50 ms, with pools of {@code poolSize}; {@code
   * settings} sets the handler and anything else.
   */
  static DrainerFleet start(
      ScenarioTables tables,
      int count,
      int poolSize,
      UnaryOperator<DrainerBuilder<FaultJob>> settings) {
    DrainerFleet fleet = new DrainerFleet();
    for (int d = 0; d < count; d++) {
      HikariDataSource pool = tables.pool("drainer-" + d, poolSize);
      fleet.pools.add(pool);
      DrainerBuilder<FaultJob> builder =
          tables.outboxOn(pool).drainer().name("drainer-" + d).pollInterval(Duration.ofMillis(50));
      Drainer<FaultJob> drainer = settings.apply(builder).build();
      fleet.drainers.add(drainer);
      drainer.start();
    }
    return fleet;
  }

  /** The pools, one per drainer, in order. */
  List<HikariDataSource> pools() {
    return pools;
  }

  /** Waits until the job table is empty. */
  void awaitDrained(ScenarioTables tables, Duration limit) throws Exception {
    Await.until(limit, "every job is drained", () -> tables.pending() == 0);
  }

  /** The sum of the drainers' reports; complete once the fleet is closed. */
  DrainReport totals() {
    return drainers.stream().map(Drainer::totals).reduce(DrainReport.EMPTY, DrainReport::plus);
  }

  /** Closes every drainer (again harmlessly if already closed). */
  @Override
  public void close() {
    drainers.forEach(drainer -> drainer.close(Duration.ofSeconds(10)));
  }
}
