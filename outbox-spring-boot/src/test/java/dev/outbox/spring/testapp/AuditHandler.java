package dev.outbox.spring.testapp;

import dev.outbox.drain.Outcome;
import dev.outbox.job.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The transactional handler of {@link SignupJob.Audit}: writes one row with {@code JdbcTemplate}
 * and one through {@link AuditWriter}, registers an afterCommit callback, then throws when the job
 * says so. The callback records how many of the job's rows another connection sees at that moment.
 */
@Component
public class AuditHandler {
  /** Per email: audit rows visible to a separate connection when afterCommit ran. */
  public final Map<String, Integer> rowsSeenAfterCommit = new ConcurrentHashMap<>();

  private final JdbcTemplate jdbc;
  private final AuditWriter writer;
  private final DomainTables tables;
  private final DataSource dataSource;

  AuditHandler(JdbcTemplate jdbc, AuditWriter writer, DomainTables tables, DataSource dataSource) {
    this.jdbc = jdbc;
    this.writer = writer;
    this.tables = tables;
    this.dataSource = dataSource;
  }

  public Outcome handle(Job<SignupJob.Audit> job, Connection tx) {
    String email = job.payload().email();
    jdbc.update("INSERT INTO " + tables.audit() + " (email, source) VALUES (?, 'template')", email);
    writer.write(email);
    TransactionSynchronizationManager.registerSynchronization(
        new TransactionSynchronization() {
          @Override
          public void afterCommit() {
            rowsSeenAfterCommit.put(email, countFromAnotherConnection(email));
          }
        });
    if (job.payload().fail()) {
      throw new IllegalStateException("audit of " + email + " failed after its writes");
    }
    return Outcome.done();
  }

  private int countFromAnotherConnection(String email) {
    try (Connection other = dataSource.getConnection();
        PreparedStatement count =
            other.prepareStatement("SELECT COUNT(*) FROM " + tables.audit() + " WHERE email = ?")) {
      count.setString(1, email);
      try (ResultSet rows = count.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
