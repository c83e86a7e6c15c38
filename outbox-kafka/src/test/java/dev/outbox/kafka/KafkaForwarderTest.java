package dev.outbox.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.deadletter.DeadLetter;
import dev.outbox.deadletter.DeadLetterQuery;
import dev.outbox.deadletter.DeadLetterReason;
import dev.outbox.drain.DrainReport;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.kafka.KafkaJob.Blob;
import dev.outbox.kafka.KafkaJob.Step;
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
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarder against a real Kafka broker in a child JVM, over real tables: what arrives, in
 * which order, under which ids, and what becomes of the jobs when the broker fails or refuses.
 */
class KafkaForwarderTest {
  private static final String FORBIDDEN = "forbidden-topic";
  private static KafkaBroker broker;

  private HikariDataSource dataSource;
  private JdbcOutbox<KafkaJob> outbox;
  private String prefix;
  private String topic;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    broker =
        KafkaBroker.start(
            Map.of(
                "authorizer.class.name",
                "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found",
                "true"));
    broker.createTopic(FORBIDDEN, 1);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()))) {
      admin
          .createAcls(
              List.of(
                  new AclBinding(
                      new ResourcePattern(ResourceType.TOPIC, FORBIDDEN, PatternType.LITERAL),
                      new AccessControlEntry(
                          "User:ANONYMOUS", "*", AclOperation.WRITE, AclPermissionType.DENY))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void createTables() {
    dataSource = TestDatabase.POSTGRESQL.open(16);
    prefix = TestDatabase.uniquePrefix();
    outbox =
        JdbcOutbox.builder(dataSource, KafkaJob.class)
            .jobTable(prefix + "_job")
            .deadLetterTable(prefix + "_dead")
            .build();
    outbox.createSchemaIfMissing();
    topic = prefix + "-steps";
    broker.createTopic(topic, 4);
  }

  @AfterEach
  void dropTables() throws Exception {
    for (AutoCloseable each : closing) {
      each.close();
    }
    if (dataSource != null) {
      TestDatabase.drop(dataSource, prefix + "_job", prefix + "_dead");
      dataSource.close();
    }
  }

  @Test
  void twentyThousandJobsOverTwoHundredKeysArriveUnderTheirIdsInKeyOrder() throws Exception {
    enqueueSteps(200, 100);
    Map<String, String> expected = eventIdsByContent();
    List<Drainer<KafkaJob>> drainers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      drainers.add(drainer(forwarder().build()));
    }
    drainers.forEach(Drainer::start);
    awaitEmpty(Duration.ofMinutes(3));
    drainers.forEach(drainer -> drainer.close(Duration.ofSeconds(10)));

    List<ConsumerRecord<byte[], byte[]>> records = readAll(topic, 20_000);
    Map<String, String> contentById = new HashMap<>();
    Map<String, List<Integer>> seqsByKey = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      String id = header(record, "outbox-event-id");
      String content = new String(record.value(), StandardCharsets.UTF_8);
      String before = contentById.putIfAbsent(id, content);
      assertTrue(before == null || before.equals(content), "one id, one content: " + id);
      Step step = parse(content);
      assertEquals(step.key(), new String(record.key(), StandardCharsets.UTF_8));
      seqsByKey.computeIfAbsent(step.key(), k -> new ArrayList<>()).add(step.seq());
    }
    assertEquals(expected.keySet(), contentById.keySet(), "every job's event id arrived");
    for (Map.Entry<String, String> each : expected.entrySet()) {
      assertEquals(each.getValue(), contentById.get(each.getKey()));
    }
    assertEquals(200, seqsByKey.size());
    seqsByKey.forEach(
        (key, seqs) -> {
          for (int i = 1; i < seqs.size(); i++) {
            assertTrue(seqs.get(i) >= seqs.get(i - 1), "key " + key + " out of order: " + seqs);
          }
        });
  }

  @Test
  void aBrokerStoppedMidRunLosesNothingAndJobsCompleteOnlyOnceAcknowledged() throws Exception {
    enqueueSteps(50, 60);
    Set<String> expected = eventIdsByContent().keySet();
    List<Drainer<KafkaJob>> drainers =
        List.of(drainer(forwarder().build()), drainer(forwarder().build()));
    drainers.forEach(Drainer::start);
    awaitAtMost(2_000, Duration.ofMinutes(1));
    broker.stop();
    Thread.sleep(4_000);
    long pendingWhileDown = count(prefix + "_job");
    broker.startAgain();
    awaitEmpty(Duration.ofMinutes(3));
    drainers.forEach(drainer -> drainer.close(Duration.ofSeconds(10)));

    Set<String> arrived = new HashSet<>();
    readAll(topic, expected.size()).forEach(r -> arrived.add(header(r, "outbox-event-id")));
    assertTrue(pendingWhileDown > 0, "the broker went down with jobs left");
    assertEquals(expected, arrived, "nothing lost");
    assertEquals(0, count(prefix + "_dead"));
  }

  @Test
  void aRecordOverMaxRequestSizeIsDeadLetteredAloneAndTheRestOfItsBatchDelivered()
      throws Exception {
    try (Connection tx = tx()) {
      for (int i = 0; i < 5; i++) {
        outbox.enqueue(tx, new Step("k" + i, 1));
      }
      outbox.enqueue(tx, new Blob("x".repeat(50_000)));
      for (int i = 5; i < 10; i++) {
        outbox.enqueue(tx, new Step("k" + i, 1));
      }
      tx.commit();
    }
    KafkaForwarder<KafkaJob> forwarder =
        forwarder()
            .producerConfig(Map.of("max.request.size", "10000"))
            .topic(Blob.class, topic)
            .build();

    DrainReport report = drainer(forwarder).drainOnce();

    assertEquals(10, report.succeeded());
    assertEquals(1, report.deadLettered());
    DeadLetter letter = outbox.deadLetters().list(DeadLetterQuery.all()).get(0);
    assertEquals(DeadLetterReason.REJECTED_BY_DESTINATION, letter.reason());
    assertTrue(letter.error().contains("RecordTooLargeException"), letter.error());
    assertEquals(10, readAll(topic, 10).size());
  }

  @Test
  void aTopicTheProducerMayNotWritePausesForwardingWithoutUsingAttempts() throws Exception {
    try (Connection tx = tx()) {
      outbox.enqueue(tx, new Blob("to the forbidden topic"));
      outbox.enqueue(tx, new Blob("and another"));
      tx.commit();
    }
    KafkaForwarder<KafkaJob> forwarder =
        forwarder()
            .topic(Blob.class, FORBIDDEN)
            .misconfigurationPause(Duration.ofMinutes(5))
            .build();
    Drainer<KafkaJob> drainer = drainer(forwarder);

    DrainReport first = drainer.drainOnce();
    makeAllDue();
    DrainReport second = drainer.drainOnce();

    assertEquals(2, first.snoozed());
    assertEquals(2, second.snoozed(), "paused: handed back again without sending");
    assertEquals(Long.valueOf(2), second.counts().get("pauses"));
    assertEquals(0, count(prefix + "_dead"));
    assertEquals(0, queryLong("SELECT MAX(attempts) FROM " + prefix + "_job"), "no attempt used");
  }

  @Test
  void aBatchWhoseOutcomesWereLostIsSentAgainUnderTheSameEventIds() throws Exception {
    enqueueSteps(10, 1);
    Set<String> expected = eventIdsByContent().keySet();
    KafkaForwarder<KafkaJob> forwarder = forwarder().build();
    Drainer<KafkaJob> crashing =
        outbox
            .drainer()
            .batchHandler(
                jobs -> {
                  forwarder.handle(jobs); // sent and acknowledged; then the drainer "dies"
                  Map<Long, Outcome> lost = new HashMap<>();
                  jobs.forEach(job -> lost.put(job.id(), Outcome.retryAfter(Duration.ZERO)));
                  return lost;
                })
            .build();

    crashing.drainOnce();
    drainer(forwarder).drainOnce();

    List<ConsumerRecord<byte[], byte[]>> records = readAll(topic, 20);
    Map<String, Integer> times = new HashMap<>();
    records.forEach(r -> times.merge(header(r, "outbox-event-id"), 1, Integer::sum));
    assertEquals(expected, times.keySet());
    times.values().forEach(n -> assertEquals(2, n, "each sent twice, under one id"));
    assertEquals(0, count(prefix + "_job"));
  }

  @Test
  void aProducerSettingThatCouldLoseOrReorderARecordIsRefusedNamingIt() {
    for (Map.Entry<String, String> bad :
        Map.of(
                "acks", "1",
                "enable.idempotence", "false",
                "max.in.flight.requests.per.connection", "6",
                "retries", "0")
            .entrySet()) {
      var refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              dev.outbox.OutboxException.Misconfigured.class,
              () -> forwarder().producerConfig(Map.of(bad.getKey(), bad.getValue())).build());
      assertTrue(refused.getMessage().contains(bad.getKey()), refused.getMessage());
    }
  }

  private KafkaForwarderBuilder<KafkaJob> forwarder() {
    return KafkaForwarder.builder(outbox.codec())
        .producerConfig(
            Map.of(
                "bootstrap.servers", broker.bootstrap(),
                "max.block.ms", "3000",
                "request.timeout.ms", "2000",
                "delivery.timeout.ms", "6000"))
        .topic(Step.class, topic)
        .retryDelay(Duration.ofMillis(500));
  }

  private Drainer<KafkaJob> drainer(KafkaForwarder<KafkaJob> forwarder) {
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
      List<KafkaJob> round = new ArrayList<>();
      for (int seq = 0; seq < steps; seq++) {
        for (int k = 0; k < keys; k++) {
          outbox.enqueue(
              tx, new Step("key-" + k, seq), EnqueueOptions.defaults().withOrderingKey("key-" + k));
        }
      }
      tx.commit();
    }
  }

  /** Each row's event id and the JSON its record must carry. */
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

  private List<ConsumerRecord<byte[], byte[]>> readAll(String from, int atLeast) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of("bootstrap.servers", broker.bootstrap()),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(from).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline
          && (records.size() < atLeast || !reached(consumer, end))) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  private static boolean reached(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private Step parse(String json) {
    return (Step) outbox.codec().parse("Step", json).get();
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
