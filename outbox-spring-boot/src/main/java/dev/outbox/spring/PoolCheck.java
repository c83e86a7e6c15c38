package dev.outbox.spring;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.util.ClassUtils;

/**
 * Whether the application's pool is smaller than what a drainer may hold at once: a connection per
 * transactional handler running ({@code concurrency}), one claiming, one writing outcomes and one
 * listening (PostgreSQL), before the application's own. Boot's default Hikari pool (10) is smaller
 * than a default drainer's 11. Only Hikari's size is known.
 */
final class PoolCheck {
  /** Connections a drainer holds beside its transactional handlers. */
  static final int DRAINER_OWN = 3;

  private PoolCheck() {}

  /** The warning to log, if the pool is too small. */
  static Optional<String> warning(DataSource dataSource, int concurrency) {
    if (!ClassUtils.isPresent(
        "com.zaxxer.hikari.HikariDataSource", PoolCheck.class.getClassLoader())) {
      return Optional.empty();
    }
    int needed = concurrency + DRAINER_OWN;
    return Hikari.maximumPoolSize(dataSource)
        .filter(size -> size < needed)
        .map(
            size ->
                "the connection pool's maximum size is "
                    + size
                    + ", smaller than the "
                    + needed
                    + " connections the drainer may hold at once ("
                    + concurrency
                    + " transactional handlers, claim, outcome writes, listener), before any"
                    + " the application needs: raise spring.datasource.hikari.maximum-pool-size"
                    + " or lower outbox.drainer.concurrency");
  }

  /** Touches Hikari's classes only when they are present. */
  private static final class Hikari {
    static Optional<Integer> maximumPoolSize(DataSource dataSource) {
      try {
        return dataSource.isWrapperFor(HikariDataSource.class)
            ? Optional.of(dataSource.unwrap(HikariDataSource.class).getMaximumPoolSize())
            : Optional.empty();
      } catch (SQLException e) {
        return Optional.empty();
      }
    }
  }
}
