package dev.outbox.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxException;
import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterQuery;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.rabbitmq.RabbitJob.Blob;
import dev.outbox.rabbitmq.RabbitJob.Step;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarder against the local RabbitMQ, over real tables: what arrives, in which order, under
 * which ids, and what becomes of the jobs when the broker returns, refuses or drops the connection.
 */
class RabbitForwarderTest {
  private static final String STEPS = "steps";

  private ConnectionFactory factory;
  private com.rabbitmq.client.Connection admin;
  private HikariDataSource dataSource;
  private JdbcOutbox<RabbitJob> outbox;
  private String prefix;
  private String exchange;
  private String queue;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void createTablesAndQueue() throws Exception {
    factory = RabbitBroker.reachable();
    dataSource = TestDatabase.POSTGRESQL.open(16);
    prefix = TestDatabase.uniquePrefix();
    outbox =
        JdbcOutbox.builder(dataSource, RabbitJob.class)
            .jobTable(prefix + "_job")
            .deadLetterTable(prefix + "_dead")
            .build();
    outbox.createSchemaIfMissing();
    exchange = prefix + ".exchange";
    queue = prefix + ".steps";
    admin = factory.newConnection("outbox-test-admin");
    try (Channel channel = admin.createChannel()) {
      channel.exchangeDeclare(exchange, "direct", true);
      channel.queueDeclare(queue, true, false, false, null);
      channel.queueBind(queue, exchange, STEPS);
    }
  }

  @AfterEach
  void dropTablesAndQueue() throws Exception {
    for (AutoCloseable each : closing) {
      each.close();
    }
    if (admin != null) {
      try (Channel channel = admin.createChannel()) {
        channel.queueDelete(queue);
        channel.exchangeDelete(exchange);
      }
      admin.close();
    }
    if (dataSource != null) {
      TestDatabase.drop(dataSource, prefix + "_job", prefix + "_dead");
      dataSource.close();
    }
  }

  @Test
  void tenThousandJobsByThreeDrainersArriveUnderTheirIdsInKeyOrder() throws Exception {
    enqueueSteps(100, 100);
    Map<String, String> expected = eventIdsByContent();
    List<Drainer<RabbitJob>> drainers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      drainers.add(drainer(forwarder().build()));
    }
    drainers.forEach(Drainer::start);
    awaitEmpty(Duration.ofMinutes(3));
    drainers.forEach(drainer -> drainer.close(Duration.ofSeconds(10)));

    Map<String, String> contentById = new HashMap<>();
    Map<String, List<Integer>> seqsByKey = new LinkedHashMap<>();
    for (GetResponse message : readAll()) {
      AMQP.BasicProperties properties = message.getProps();
      String id = properties.getMessageId();
      assertEquals(id, properties.getHeaders().get("outbox-event-id").toString());
      assertEquals(2, properties.getDeliveryMode(), "persistent");
      String content = new String(message.getBody(), StandardCharsets.UTF_8);
      String before = contentById.putIfAbsent(id, content);
      assertTrue(before == null || before.equals(content), "one id, one content: " + id);
      Step step = (Step) outbox.codec().parse("Step", content).get();
      seqsByKey.computeIfAbsent(step.key(), k -> new ArrayList<>()).add(step.seq());
    }
    assertEquals(expected, contentById, "every job's event id arrived with its payload");
    assertEquals(100, seqsByKey.size());
    seqsByKey.forEach(
        (key, seqs) -> {
          for (int i = 1; i < seqs.size(); i++) {
            assertTrue(seqs.get(i) >= seqs.get(i - 1), "key " + key + " out of order: " + seqs);
          }
        });
  }

  @Test
  void anUnroutableMessageIsDeadLetteredAloneWithTheReasonAndTheRestDelivered() throws Exception {
    try (Connection tx = tx()) {
      for (int i = 0; i < 5; i++) {
        outbox.enqueue(tx, new Step("k" + i, 1));
      }
      outbox.enqueue(tx, new Blob("no queue is bound for me"));
      for (int i = 5; i < 10; i++) {
        outbox.enqueue(tx, new Step("k" + i, 1));
      }
      tx.commit();
    }

    DrainReport report = drainer(forwarder().build()).drainOnce();

    assertEquals(10, report.succeeded());
    assertEquals(1, report.deadLettered());
    DeadLetter letter = outbox.deadLetters().list(DeadLetterQuery.all()).get(0);
    assertEquals(DeadLetterReason.REJECTED_BY_DESTINATION, letter.reason());
    assertTrue(letter.error().contains("NO_ROUTE"), letter.error());
    assertTrue(letter.error().contains("'blob'"), letter.error());
    assertEquals(10, readAll().size());
  }

  @Test
  void aBatchWhoseOutcomesWereLostIsPublishedAgainUnderTheSameMessageIds() throws Exception {
    enqueueSteps(10, 1);
    Set<String> expected = eventIdsByContent().keySet();
    RabbitForwarder<RabbitJob> forwarder = forwarder().build();
    Drainer<RabbitJob> crashing =
        outbox
            .drainer()
            .batchHandler(
                jobs -> {
                  forwarder.handle(jobs); // published and confirmed; then the drainer "dies"
                  Map<Long, Outcome> lost = new HashMap<>();
                  jobs.forEach(job -> lost.put(job.id(), Outcome.retryAfter(Duration.ZERO)));
                  return lost;
                })
            .build();

    crashing.drainOnce();
    drainer(forwarder).drainOnce();

    Map<String, Integer> times = new HashMap<>();
    readAll().forEach(m -> times.merge(m.getProps().getMessageId(), 1, Integer::sum));
    assertEquals(expected, times.keySet());
    times.values().forEach(n -> assertEquals(2, n, "each published twice, under one id"));
    assertEquals(0, count(prefix + "_job"));
  }

  @Test
  void connectionsClosedByTheBrokerMidRunLoseNothing() throws Exception {
    enqueueSteps(100, 100);
    Set<String> expected = eventIdsByContent().keySet();
    List<Drainer<RabbitJob>> drainers =
        List.of(drainer(forwarder().build()), drainer(forwarder().build()));
    drainers.forEach(Drainer::start);
    awaitAtMost(9_000, Duration.ofMinutes(1));
    int closed = RabbitBroker.closeConnectionsNamed(RabbitForwarder.CONNECTION_NAME);
    long pendingAfterClosing = count(prefix + "_job");
    awaitEmpty(Duration.ofMinutes(3));
    drainers.forEach(drainer -> drainer.close(Duration.ofSeconds(10)));

    Set<String> arrived = new HashSet<>();
    readAll().forEach(m -> arrived.add(m.getProps().getMessageId()));
    assertTrue(closed > 0, "the broker closed the forwarders' connections");
    assertTrue(pendingAfterClosing > 0, "the connections closed with jobs left");
    assertEquals(expected, arrived, "nothing lost");
    assertEquals(0, count(prefix + "_dead"));
  }

  @Test
  void aMissingExchangePausesForwardingWithoutUsingAttempts() throws Exception {
    enqueueSteps(2, 1);
    RabbitForwarder<RabbitJob> forwarder =
        forwarder()
            .exchange(prefix + ".missing")
            .misconfigurationPause(Duration.ofMinutes(5))
            .build();
    Drainer<RabbitJob> drainer = drainer(forwarder);

    DrainReport first = drainer.drainOnce();
    makeAllDue();
    DrainReport second = drainer.drainOnce();

    assertEquals(2, first.snoozed());
    assertEquals(2, second.snoozed(), "paused: handed back again without publishing");
    assertEquals(Long.valueOf(2), second.counts().get("pauses"));
    assertEquals(0, count(prefix + "_dead"));
    assertEquals(0, queryLong("SELECT MAX(attempts) FROM " + prefix + "_job"), "no attempt used");
  }

  @Test
  void aForwarderWithoutExchangeOrConnectionFactoryIsRefusedNamingTheSetting() {
    var noExchange =
        assertThrows(
            OutboxException.Misconfigured.class,
            () -> RabbitForwarder.builder(outbox.codec()).connectionFactory(factory).build());
    assertTrue(noExchange.getMessage().startsWith("exchange is required"), noExchange.getMessage());
    var noFactory =
        assertThrows(
            OutboxException.Misconfigured.class,
            () -> RabbitForwarder.builder(outbox.codec()).exchange(exchange).build());
    assertTrue(
        noFactory.getMessage().startsWith("connectionFactory is required"), noFactory.getMessage());
    var zero =
        assertThrows(
            OutboxException.Misconfigured.class,
            () -> forwarder().confirmTimeout(Duration.ZERO).build());
    assertEquals("confirmTimeout must be positive, was PT0S", zero.getMessage());
  }

  private RabbitForwarderBuilder<RabbitJob> forwarder() {
    return RabbitForwarder.builder(outbox.codec())
        .connectionFactory(factory)
        .exchange(exchange)
        .routingKey(Step.class, STEPS)
        .confirmTimeout(Duration.ofSeconds(10))
        .retryDelay(Duration.ofMillis(500));
  }

  private Drainer<RabbitJob> drainer(RabbitForwarder<RabbitJob> forwarder) {
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

  /** Every message in the queue, in queue order; all were confirmed, so all are there. */
  private List<GetResponse> readAll() throws Exception {
    List<GetResponse> messages = new ArrayList<>();
    try (Channel channel = admin.createChannel()) {
      GetResponse message;
      while ((message = channel.basicGet(queue, true)) != null) {
        messages.add(message);
      }
    }
    return messages;
  }

  private Connection tx() throws SQLException {
    Connection tx = dataSource.getConnection();
    tx.setAutoCommit(false);
    return tx;
  }

  private void awaitEmpty(Duration within) throws Exception {
    awaitAtMost(0, within);
  }

  private void awaitAtMost(long rows, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (count(prefix + "_job") > rows) {
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
