package dev.outbox.spring.testapp;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** A {@code @Transactional(REQUIRED)} bean: joins whatever transaction its caller is in. */
@Component
public class AuditWriter {
  private final JdbcTemplate jdbc;
  private final DomainTables tables;

  AuditWriter(JdbcTemplate jdbc, DomainTables tables) {
    this.jdbc = jdbc;
    this.tables = tables;
  }

  @Transactional(propagation = Propagation.REQUIRED)
  public void write(String email) {
    jdbc.update("INSERT INTO " + tables.audit() + " (email, source) VALUES (?, 'bean')", email);
  }
}
