package dev.outbox.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker (KRaft, broker and controller in one process) in a child JVM, from the
 * Kafka artifacts on the test classpath: no Docker, no download. Stopping kills the process;
 * starting again keeps its data, ports and cluster id, as a broker restart does.
 */
final class KafkaBroker implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final Path config;
  private Process process;

  private KafkaBroker(Path dir, int port, Path config) {
    this.dir = dir;
    this.port = port;
    this.config = config;
  }

  /** Formats a fresh log directory and starts the broker; returns once it answers. */
  static KafkaBroker start(Map<String, String> overrides) {
    try {
      Path dir = Files.createTempDirectory("outbox-kafka-");
      int port = freePort();
      int controllerPort = freePort();
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", "1");
      props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      props.put(
          "listeners",
          "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
      props.put("controller.listener.names", "CONTROLLER");
      props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("log.dirs", dir.resolve("data").toString());
      props.put("offsets.topic.replication.factor", "1");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      props.put("group.initial.rebalance.delay.ms", "0");
      props.put("num.partitions", "4");
      props.put("auto.create.topics.enable", "false");
      props.putAll(overrides);
      Path config = dir.resolve("server.properties");
      try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
        props.store(out, "outbox test broker");
      }
      KafkaBroker broker = new KafkaBroker(dir, port, config);
      broker
          .run(
              "kafka.tools.StorageTool",
              List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()),
              dir.resolve("format.log"))
          .waitFor(120, TimeUnit.SECONDS);
      broker.startAgain();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** host:port for bootstrap.servers. */
  String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** Creates a topic with {@code partitions} partitions and waits until it exists. */
  void createTopic(String topic, int partitions) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not create topic " + topic, e);
    }
  }

  /** Kills the broker process at once, as a crash or a pulled cable would. */
  void stop() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** Starts the broker on its old data and ports; returns once it answers. */
  void startAgain() {
    try {
      process = run("kafka.Kafka", List.of(config.toString()), dir.resolve("broker.log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitAnswer(Duration.ofSeconds(120));
  }

  private void awaitAnswer(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the Kafka broker exited; see " + dir.resolve("broker.log"));
      }
      try (Admin admin =
          Admin.create(
              Map.of(
                  "bootstrap.servers",
                  bootstrap(),
                  "request.timeout.ms",
                  "2000",
                  "default.api.timeout.ms",
                  "3000"))) {
        admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        last = e;
      }
    }
    throw new IllegalStateException("the Kafka broker did not answer within " + within, last);
  }

  private Process run(String mainClass, List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(mainClass);
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
