package dev.outbox.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that LISTENs on the job table's channel and calls back when a transaction
 * that inserted jobs commits (enqueue sends the NOTIFY, throttled, see {@link NewJobNotifier}; so
 * does the opt-in trigger). Reconnects by itself; the drainer's polling covers any gap. Internal.
 */
final class PostgresListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);
  private static final int WAIT_MILLIS = 500;

  private final DataSource dataSource;
  private final String channel;
  private final Runnable onNotify;
  private final Thread thread;
  private volatile boolean closed;

  PostgresListener(DataSource dataSource, String channel, String name, Runnable onNotify) {
    this.dataSource = dataSource;
    this.channel = channel;
    this.onNotify = onNotify;
    this.thread = new Thread(this::listen, name + "-listen");
    thread.setDaemon(true);
    thread.start();
  }

  private void listen() {
    int failures = 0;
    while (!closed) {
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(true);
        PGConnection notifications = connection.unwrap(PGConnection.class);
        try {
          try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + channel(channel));
          }
          failures = 0;
          onNotify.run(); // catch up with anything committed while not listening
          while (!closed) {
            PGNotification[] received = notifications.getNotifications(WAIT_MILLIS);
            if (received != null && received.length > 0) {
              onNotify.run();
            }
          }
        } finally {
          stopListening(connection, notifications);
        }
      } catch (SQLException | RuntimeException e) {
        failures++;
        if (!closed) {
          log.warn(
              "listening for new jobs on '{}' failed ({} in a row); polling continues: {}",
              channel,
              failures,
              e.toString());
          sleep(Math.min(30_000L, 500L << Math.min(failures, 6)));
        }
      }
    }
  }

  /**
   * Before the connection goes back to the pool: {@code UNLISTEN *}, then drops what pgjdbc already
   * received. A pool does not reset a session, so a connection handed back still listening would
   * listen for good: every later notification on the channel would pile up in whatever code borrows
   * it next (pgjdbc keeps them until asked), and every notifying commit would signal its session. A
   * connection on which this fails is broken, and its pool finds that out on next use.
   */
  private void stopListening(Connection connection, PGConnection notifications) {
    try (Statement statement = connection.createStatement()) {
      statement.execute("UNLISTEN *");
      notifications.getNotifications();
    } catch (SQLException | RuntimeException e) {
      log.debug("UNLISTEN on '{}' failed; the connection is broken: {}", channel, e.toString());
    }
  }

  /**
   * The channel of a (validated) job table as a quoted identifier: the table's name as written,
   * schema included, which is also what the opt-in trigger passes to {@code pg_notify}.
   */
  static String channel(String jobTable) {
    return "\"" + channelName(jobTable) + "\"";
  }

  /**
   * The channel's name itself, for {@code pg_notify}: the table's name cut to the 63 bytes that
   * PostgreSQL keeps of an identifier (names are validated ASCII), as it cuts the quoted one.
   */
  static String channelName(String jobTable) {
    return jobTable.length() > 63 ? jobTable.substring(0, 63) : jobTable;
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      closed = true;
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.join(WAIT_MILLIS * 4L);
  }
}
