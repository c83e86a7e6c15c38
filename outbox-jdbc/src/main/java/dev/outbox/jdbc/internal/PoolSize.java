package dev.outbox.jdbc.internal;

import java.lang.reflect.Method;
import java.util.OptionalInt;
import javax.sql.DataSource;

/**
 * The largest number of connections a pooled data source hands out, where the pool says: HikariCP
 * ({@code getMaximumPoolSize}), Commons DBCP 2 ({@code getMaxTotal}), Tomcat JDBC ({@code
 * getMaxActive}), c3p0 ({@code getMaxPoolSize}), read through their public getters so that none of
 * them is a dependency. Internal.
 */
final class PoolSize {
  private static final String[] GETTERS = {
    "getMaximumPoolSize", "getMaxTotal", "getMaxActive", "getMaxPoolSize"
  };

  private PoolSize() {}

  /** The pool's maximum, or empty for a data source that is not one of these pools. */
  static OptionalInt of(DataSource dataSource) {
    for (String getter : GETTERS) {
      try {
        Method method = dataSource.getClass().getMethod(getter);
        Object value = method.invoke(dataSource);
        if (value instanceof Integer size && size > 0) {
          return OptionalInt.of(size);
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        // not this pool
      }
    }
    return OptionalInt.empty();
  }
}
