package dev.outbox.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxException;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.nats.NatsJob.Blob;
import dev.outbox.nats.NatsJob.Step;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarder against the local NATS server with JetStream, over real tables: what the stream
 * stores, in which order, under which ids, and what becomes of the jobs when no stream is there.
 */
class NatsForwarderTest {
  private LocalNats nats;
  private HikariDataSource dataSource;
  private JdbcOutbox<NatsJob> outbox;
  private String prefix;
  private String stream;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void createTablesAndStream() throws Exception {
    nats = LocalNats.connect();
    dataSource = TestDatabase.POSTGRESQL.open(16);
    prefix = TestDatabase.uniquePrefix();
    outbox =
        JdbcOutbox.builder(dataSource, NatsJob.class)
            .jobTable(prefix + "_job")
            .deadLetterTable(prefix + "_dead")
            .build();
    outbox.createSchemaIfMissing();
    stream = prefix.toUpperCase();
    nats.addStream(stream, prefix + ".>");
  }

  @AfterEach
  void dropTablesAndStream() throws Exception {
    for (AutoCloseable each : closing) {
      each.close();
    }
    if (dataSource != null) {
      TestDatabase.drop(dataSource, prefix + "_job", prefix + "_dead");
      dataSource.close();
    }
    if (nats != null) {
      nats.deleteStream(stream);
      nats.close();
    }
  }

  @Test
  void tenThousandJobsByThreeDrainersAreStoredOnceEachAndReadInKeyOrder() throws Exception {
    enqueueSteps(200, 50);
    Map<String, String> expected = eventIdsByContent();
    List<Drainer<NatsJob>> drainers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      drainers.add(drainer(forwarder().build()));
    }
    drainers.forEach(Drainer::start);
    awaitEmpty(Duration.ofMinutes(3));
    drainers.forEach(drainer -> drainer.close(Duration.ofSeconds(10)));

    assertEquals(10_000, nats.messageCount(stream), "each event id stored once");
    Map<String, String> contentById = new HashMap<>();
    Map<String, List<Integer>> seqsByKey = new LinkedHashMap<>();
    for (Message message : nats.readAll(stream, prefix + ".>")) {
      String id = message.getHeaders().getFirst("Nats-Msg-Id");
      assertEquals(id, message.getHeaders().getFirst("outbox-event-id"));
      assertEquals("Step", message.getHeaders().getFirst("outbox-kind"));
      assertEquals(prefix + ".step", message.getSubject());
      String content = new String(message.getData(), StandardCharsets.UTF_8);
      assertEquals(null, contentById.put(id, content), "stored twice: " + id);
      Step step = (Step) outbox.codec().parse("Step", content).get();
      seqsByKey.computeIfAbsent(step.key(), k -> new ArrayList<>()).add(step.seq());
    }
    assertEquals(expected, contentById, "every job's event id, with its payload");
    assertEquals(200, seqsByKey.size());
    List<Integer> inOrder = new ArrayList<>();
    for (int seq = 0; seq < 50; seq++) {
      inOrder.add(seq);
    }
    seqsByKey.forEach((key, seqs) -> assertEquals(inOrder, seqs, "key " + key + " in order"));
  }

  @Test
  void aSubjectWithoutAStreamPausesForwardingWithoutUsingAttempts() throws Exception {
    try (Connection tx = tx()) {
      outbox.enqueue(tx, new Blob("to a subject no stream stores"));
      outbox.enqueue(tx, new Blob("and another"));
      tx.commit();
    }
    NatsForwarder<NatsJob> forwarder =
        forwarder()
            .subject(Blob.class, "nowhere." + prefix + ".blob")
            .missingStreamPause(Duration.ofMinutes(5))
            .build();
    Drainer<NatsJob> drainer = drainer(forwarder);

    DrainReport first = drainer.drainOnce();
    makeAllDue();
    DrainReport second = drainer.drainOnce();

    assertEquals(2, first.snoozed());
    assertEquals(2, second.snoozed(), "paused: handed back again without publishing");
    assertEquals(Long.valueOf(2), second.counts().get("pauses"));
    assertEquals(0, count(prefix + "_dead"));
    assertEquals(0, queryLong("SELECT MAX(attempts) FROM " + prefix + "_job"), "no attempt used");
    assertEquals(0, nats.messageCount(stream));
  }

  @Test
  void aBatchWhoseOutcomesWereLostIsPublishedAgainAndTheStreamDropsTheRepeats() throws Exception {
    enqueueSteps(10, 1);
    NatsForwarder<NatsJob> forwarder = forwarder().build();
    Drainer<NatsJob> crashing =
        outbox
            .drainer()
            .batchHandler(
                jobs -> {
                  forwarder.handle(jobs); // published and acknowledged; then the drainer "dies"
                  Map<Long, Outcome> lost = new HashMap<>();
                  jobs.forEach(job -> lost.put(job.id(), Outcome.retryAfter(Duration.ZERO)));
                  return lost;
                })
            .build();

    crashing.drainOnce();
    long storedOnce = nats.messageCount(stream);
    DrainReport again = drainer(forwarder).drainOnce();

    assertEquals(10, storedOnce);
    assertEquals(10, again.succeeded(), "a duplicate ack completes the job");
    assertEquals(Long.valueOf(10), again.counts().get("duplicatesDropped"));
    assertEquals(10, nats.messageCount(stream), "JetStream dropped every repeat");
    assertEquals(0, count(prefix + "_job"));
  }

  @Test
  void aSettingOutOfRangeIsRefusedNamingIt() {
    var refused =
        assertThrows(
            OutboxException.Misconfigured.class,
            () -> forwarder().ackTimeout(Duration.ZERO).build());
    assertEquals("ackTimeout must be positive, was PT0S", refused.getMessage());
    var noOptions =
        assertThrows(
            OutboxException.Misconfigured.class,
            () -> NatsForwarder.builder(outbox.codec()).build());
    assertTrue(noOptions.getMessage().startsWith("options is required"), noOptions.getMessage());
  }

  private NatsForwarderBuilder<NatsJob> forwarder() {
    return NatsForwarder.builder(outbox.codec())
        .options(LocalNats.options())
        .subjectPrefix(prefix + ".")
        .retryDelay(Duration.ofMillis(500));
  }

  private Drainer<NatsJob> drainer(NatsForwarder<NatsJob> forwarder) {
    closing.add(forwarder);
    return outbox
        .drainer()
        .batchSize(200)
        .lease(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(50))
        .batchHandler(forwarder)
        .build();
  }

  private void enqueueSteps(int keys, int steps) throws SQLException {
    try (Connection tx = tx()) {
      for (int seq = 0; seq < steps; seq++) {
        for (int k = 0; k < keys; k++) {
          outbox.enqueue(
              tx, new Step("key-" + k, seq), EnqueueOptions.defaults().withOrderingKey("key-" + k));
        }
      }
      tx.commit();
    }
  }

  /** Each row's event id and the JSON its message must carry. */
  private Map<String, String> eventIdsByContent() throws SQLException {
    Map<String, String> ids = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT event_id, payload FROM " + prefix + "_job")) {
      while (rows.next()) {
        ids.put(rows.getString(1), rows.getString(2));
      }
    }
    return ids;
  }

  private Connection tx() throws SQLException {
    Connection tx = dataSource.getConnection();
    tx.setAutoCommit(false);
    return tx;
  }

  private void awaitEmpty(Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (count(prefix + "_job") > 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(count(prefix + "_job") + " jobs still pending after " + within);
      }
      Thread.sleep(50);
    }
  }

  private void makeAllDue() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("UPDATE " + prefix + "_job SET run_at = 0");
    }
  }

  private long count(String table) throws SQLException {
    return queryLong("SELECT COUNT(*) FROM " + table);
  }

  private long queryLong(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
