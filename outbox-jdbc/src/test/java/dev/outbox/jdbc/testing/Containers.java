package dev.outbox.jdbc.testing;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.JdbcDatabaseContainer;
import org.testcontainers.containers.MariaDBContainer;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The fallback when a local PostgreSQL or MariaDB cannot be reached: a throwaway container, but
 * only where a Docker engine answers. One container per database per test JVM, stopped by
 * Testcontainers' reaper when the JVM exits.
 */
final class Containers {
  private static final Map<TestDatabase, JdbcDatabaseContainer<?>> STARTED =
      new ConcurrentHashMap<>();

  private Containers() {}

  /** A JDBC URL (with credentials) of a started container, if Docker is available. */
  static Optional<String> urlFor(TestDatabase database) {
    if (!dockerAnswers()) {
      return Optional.empty();
    }
    JdbcDatabaseContainer<?> container = STARTED.computeIfAbsent(database, Containers::start);
    String url = container.getJdbcUrl();
    String credentials = "user=" + container.getUsername() + "&password=" + container.getPassword();
    return Optional.of(url + (url.contains("?") ? "&" : "?") + credentials);
  }

  private static boolean dockerAnswers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static JdbcDatabaseContainer<?> start(TestDatabase database) {
    JdbcDatabaseContainer<?> container =
        database == TestDatabase.POSTGRESQL
            ? new PostgreSQLContainer<>("postgres:15")
            : new MariaDBContainer<>("mariadb:10.11");
    container.start();
    return container;
  }
}
