package dev.outbox.jdbc;

import dev.outbox.OutboxException;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The databases the JDBC outbox speaks to. Detected from the connection's metadata unless set on
 * the builder. Each has its DDL as numbered migrations under {@code
 * dev/outbox/jdbc/schema/<dialect>/} in this module's jar (see {@link #migrationLocation()}).
 */
public enum Dialect {
  /** PostgreSQL 13+: one-statement claim with {@code UPDATE … RETURNING} and SKIP LOCKED. */
  POSTGRESQL("postgresql"),
  /**
   * MariaDB 10.6+: {@code SELECT … FOR UPDATE SKIP LOCKED} then update. MySQL 8 speaks the same SQL
   * but is not tested.
   */
  MARIADB("mariadb"),
  /** H2 2.x, for tests and demos. */
  H2("h2");

  private final String folder;

  Dialect(String folder) {
    this.folder = folder;
  }

  /**
   * The classpath folder of this dialect's migrations, {@code V1__outbox_baseline.sql}, {@code
   * V2__outbox_event_id.sql} and so on, with the default table names: a Flyway location ({@code
   * classpath:dev/outbox/jdbc/schema/postgresql}) as it is.
   */
  public String migrationLocation() {
    return "dev/outbox/jdbc/schema/" + folder;
  }

  /**
   * Detects the dialect from a connection's metadata.
   *
   * @throws OutboxException.Misconfigured if the database is not one of the supported ones
   */
  public static Dialect detect(DatabaseMetaData metadata) throws SQLException {
    String product = metadata.getDatabaseProductName();
    String name = product == null ? "" : product.toLowerCase(Locale.ROOT);
    if (name.contains("postgres")) {
      return POSTGRESQL;
    }
    if (name.contains("mariadb") || name.contains("mysql")) {
      return MARIADB;
    }
    if (name.contains("h2")) {
      return H2;
    }
    throw new OutboxException.Misconfigured(
        "the database '"
            + product
            + "' is not supported; the outbox speaks PostgreSQL, MariaDB/MySQL and H2. If it is"
            + " compatible with one of them, set it with .dialect(Dialect.…) on the builder");
  }
}
