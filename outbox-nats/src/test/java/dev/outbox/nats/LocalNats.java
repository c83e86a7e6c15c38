package dev.outbox.nats;

import dev.outbox.jdbc.testing.TestDatabase;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The local NATS server with JetStream (127.0.0.1:4222, or {@code OUTBOX_NATS_URL}). When it does
 * not answer its tests are skipped with the reason, unless {@code OUTBOX_REQUIRE_BROKERS=true} or
 * the databases are required (CI), which makes them fail instead.
 */
final class LocalNats implements AutoCloseable {
  static final String URL =
      System.getenv().getOrDefault("OUTBOX_NATS_URL", "nats://127.0.0.1:4222");

  private final Connection connection;

  private LocalNats(Connection connection) {
    this.connection = connection;
  }

  static Options options() {
    return new Options.Builder().server(URL).connectionTimeout(Duration.ofSeconds(2)).build();
  }

  /** A connection to the local server, or the calling test skipped (failed when required). */
  static LocalNats connect() {
    try {
      Connection connection = Nats.connect(options());
      connection.jetStreamManagement().getAccountStatistics(); // JetStream enabled?
      return new LocalNats(connection);
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      String why = "NATS with JetStream is not reachable at " + URL + " (" + e + ")";
      if ("true".equalsIgnoreCase(System.getenv("OUTBOX_REQUIRE_BROKERS"))
          || TestDatabase.required()) {
        Assertions.fail(why + "; required here. Start it: see .ci/run");
      }
      System.out.println(why + "; skipping");
      Assumptions.abort(why + "; skipping. Start it: see .ci/run");
      throw new IllegalStateException("unreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Creates a stream (in memory, 2-minute duplicate window) storing these subjects. */
  void addStream(String name, String subjects) throws IOException, JetStreamApiException {
    connection
        .jetStreamManagement()
        .addStream(
            StreamConfiguration.builder()
                .name(name)
                .subjects(subjects)
                .storageType(StorageType.Memory)
                .duplicateWindow(Duration.ofMinutes(2))
                .build());
  }

  void deleteStream(String name) throws IOException, JetStreamApiException {
    connection.jetStreamManagement().deleteStream(name);
  }

  long messageCount(String stream) throws IOException, JetStreamApiException {
    return connection.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount();
  }

  /** Every message the stream stores on these subjects, in stream order. */
  List<Message> readAll(String stream, String subjects) throws Exception {
    long expected = messageCount(stream);
    List<Message> messages = new ArrayList<>();
    JetStreamSubscription subscription =
        connection
            .jetStream()
            .subscribe(
                subjects, PushSubscribeOptions.builder().stream(stream).ordered(true).build());
    try {
      while (messages.size() < expected) {
        Message next = subscription.nextMessage(Duration.ofSeconds(10));
        if (next == null) {
          break;
        }
        messages.add(next);
      }
    } finally {
      subscription.unsubscribe();
    }
    return messages;
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
