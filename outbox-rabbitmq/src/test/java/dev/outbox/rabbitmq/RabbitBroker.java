package dev.outbox.rabbitmq;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.outbox.jdbc.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The local RabbitMQ at 127.0.0.1:5672 (guest/guest). When it cannot be reached its tests are
 * skipped with the reason, unless {@code OUTBOX_REQUIRE_BROKERS=true} or the databases are required
 * (CI), which makes them fail instead.
 */
final class RabbitBroker {
  private RabbitBroker() {}

  /** A factory for the local broker; skips (or, when required, fails) if it does not answer. */
  static ConnectionFactory reachable() {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    factory.setPort(5672);
    factory.setUsername("guest");
    factory.setPassword("guest");
    factory.setConnectionTimeout(3_000);
    try (Connection probe = factory.newConnection("outbox-test-probe")) {
      return factory;
    } catch (Exception e) {
      String why = "RabbitMQ at 127.0.0.1:5672 is not reachable: " + e;
      if (required()) {
        Assertions.fail(why + " (required by OUTBOX_REQUIRE_BROKERS or OUTBOX_REQUIRE_DATABASES)");
      }
      System.err.println("skipped: " + why);
      Assumptions.abort(why);
      throw new AssertionError("unreachable");
    }
  }

  static boolean required() {
    return "true".equalsIgnoreCase(System.getenv("OUTBOX_REQUIRE_BROKERS"))
        || TestDatabase.required();
  }

  /** Closes, from the broker's side, every connection the client named {@code name}. */
  static int closeConnectionsNamed(String name) throws Exception {
    List<String> pids = new ArrayList<>();
    for (String line :
        rabbitmqctl("list_connections", "-q", "--no-table-headers", "pid", "client_properties")) {
      if (line.contains("\"" + name + "\"")) {
        pids.add(line.substring(0, line.indexOf('>') + 1).strip());
      }
    }
    for (String pid : pids) {
      rabbitmqctl("close_connection", pid, "closed by the outbox test");
    }
    return pids.size();
  }

  private static List<String> rabbitmqctl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("rabbitmqctl " + String.join(" ", args) + " failed: " + out);
    }
    return out.lines().toList();
  }
}
