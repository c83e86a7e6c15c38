package dev.outbox.jdbc;

import dev.outbox.OutboxException;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The databases the JDBC outbox speaks to. Detected from the connection's metadata unless set on
 * the builder. Each has its DDL under {@code dev/outbox/jdbc/schema/} in this module's jar.
 */
public enum Dialect {
  /** PostgreSQL 12+: one-statement claim with {@code UPDATE … RETURNING} and SKIP LOCKED. */
  POSTGRESQL("postgresql.sql"),
  /** MariaDB 10.6+ and MySQL 8+: {@code SELECT … FOR UPDATE SKIP LOCKED} then update. */
  MARIADB("mariadb.sql"),
  /** H2 2.x, for tests and demos. */
  H2("h2.sql");

  private final String ddlFile;

  Dialect(String ddlFile) {
    this.ddlFile = ddlFile;
  }

  /** The classpath resource holding this dialect's DDL with the default table names. */
  public String ddlResource() {
    return "dev/outbox/jdbc/schema/" + ddlFile;
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
