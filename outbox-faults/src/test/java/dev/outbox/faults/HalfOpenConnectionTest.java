package dev.outbox.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scenario 11: half-open connections. The drainer's pool reaches the database through a proxy that,
 * at a chosen moment, stops forwarding on every open connection without closing it (the driver's
 * defaults: no socket timeout). The statement that was waiting fails after the outbox's statement
 * timeout, the pool replaces the connection, and the drainer goes on; {@code close(deadline)}
 * returns by its deadline while a statement hangs.
 */
class HalfOpenConnectionTest {
  private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(2);

  @ParameterizedTest(name = "on {0}")
  @EnumSource(
      value = TestDatabase.class,
      names = {"POSTGRESQL", "MARIADB"})
  void aDrainerWhoseConnectionsGoHalfOpenRecoversAfterItsStatementTimeout(TestDatabase database)
      throws Exception {
    Figures figures = Figures.of("11a half-open connections, " + database);
    Set<Long> handled = ConcurrentHashMap.newKeySet();
    try (ScenarioTables tables = ScenarioTables.create(database, 4);
        TcpProxy proxy = proxyFor(tables)) {
      Drainer<FaultJob> drainer =
          outboxThrough(tables, proxy, STATEMENT_TIMEOUT)
              .drainer()
              .pollInterval(Duration.ofMillis(50))
              .handler(
                  job -> {
                    handled.add(job.payload().n());
                    return Outcome.done();
                  })
              .build();
      try {
        drainer.start();
        tables.enqueueWork(200);
        Await.until(
            Duration.ofMinutes(1), "the first jobs are handled", () -> handled.size() == 200);
        int cut = proxy.cutOpenConnections();
        List<FaultJob> more = new ArrayList<>();
        LongStream.range(200, 400).forEach(n -> more.add(new FaultJob.Work(n)));
        tables.enqueue(more, EnqueueOptions.defaults());
        long cutAt = System.nanoTime();
        Await.until(
            Duration.ofMinutes(1),
            "the jobs after the cut are handled",
            () -> handled.size() == 400);
        figures
            .put("connections cut", cut)
            .put("statement timeout", STATEMENT_TIMEOUT.toSeconds() + " s")
            .put(
                "all handled after the cut within",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt) + " ms")
            .put("left", tables.pending())
            .print();
        assertTrue(cut > 0);
        assertTrue(drainer.isRunning());
        assertEquals(0, tables.pending());
      } finally {
        drainer.close(Duration.ofSeconds(5));
      }
    }
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(
      value = TestDatabase.class,
      names = {"POSTGRESQL", "MARIADB"})
  void closeReturnsByItsDeadlineWhileAStatementHangsOnAHalfOpenConnection(TestDatabase database)
      throws Exception {
    Figures figures = Figures.of("11b close() during a hung statement, " + database);
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (ScenarioTables tables = ScenarioTables.create(database, 4);
        TcpProxy proxy = proxyFor(tables)) {
      Drainer<FaultJob> drainer =
          outboxThrough(tables, proxy, Duration.ofMinutes(10))
              .drainer()
              .listen(false)
              .pollInterval(Duration.ofMillis(20))
              .handler(job -> Outcome.done())
              .build();
      drainer.start();
      tables.enqueueWork(10);
      Await.until(Duration.ofMinutes(1), "the jobs are handled", () -> tables.pending() == 0);
      proxy.cutOpenConnections();
      Thread.sleep(200); // the next claim now waits on a connection that answers nothing
      long start = System.nanoTime();
      Future<Boolean> closing = thread.submit(() -> drainer.close(Duration.ofSeconds(1)));
      boolean clean = closing.get(1, TimeUnit.MINUTES); // a bound on the wait, not a timing
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      figures.put("close(1 s) returned", clean).put("after", took + " ms").print();
      assertFalse(drainer.isRunning());
    } finally {
      thread.shutdownNow();
    }
  }

  private static TcpProxy proxyFor(ScenarioTables tables) throws Exception {
    URI uri = URI.create(tables.url.substring("jdbc:".length()));
    return new TcpProxy(uri.getHost(), uri.getPort());
  }

  /** The outbox over the scenario's tables on a pool that goes through the proxy. */
  private static JdbcOutbox<FaultJob> outboxThrough(
      ScenarioTables tables, TcpProxy proxy, Duration statementTimeout) {
    URI uri = URI.create(tables.url.substring("jdbc:".length()));
    String url =
        "jdbc:"
            + uri.getScheme()
            + "://127.0.0.1:"
            + proxy.port()
            + uri.getRawPath()
            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    HikariDataSource pool =
        ScenarioTables.pool(tables.database, url, tables.sessionTag() + "-proxied", 4);
    tables.adopt(pool);
    return JdbcOutbox.builder(pool, FaultJob.class)
        .jobTable(tables.jobTable())
        .deadLetterTable(tables.deadLetterTable())
        .statementTimeout(statementTimeout)
        .build();
  }
}
