package dev.outbox.spring.testapp;

import dev.outbox.jdbc.testing.TestDatabase;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The application's own tables, named from {@code test.prefix}; dropped with the outbox's when the
 * context closes (after the drainer stopped).
 */
@Component
public class DomainTables implements InitializingBean, DisposableBean {
  private final JdbcTemplate jdbc;
  private final String prefix;
  private final String jobTable;
  private final String deadLetterTable;

  DomainTables(
      JdbcTemplate jdbc,
      @Value("${test.prefix}") String prefix,
      @Value("${outbox.job-table}") String jobTable,
      @Value("${outbox.dead-letter-table}") String deadLetterTable) {
    this.jdbc = jdbc;
    this.prefix = prefix;
    this.jobTable = jobTable;
    this.deadLetterTable = deadLetterTable;
  }

  public String users() {
    return prefix + "_users";
  }

  public String audit() {
    return prefix + "_audit";
  }

  @Override
  public void afterPropertiesSet() {
    jdbc.execute("CREATE TABLE " + users() + " (email VARCHAR(200) PRIMARY KEY)");
    jdbc.execute("CREATE TABLE " + audit() + " (email VARCHAR(200), source VARCHAR(20))");
  }

  @Override
  public void destroy() {
    TestDatabase.drop(jdbc.getDataSource(), users(), audit(), jobTable, deadLetterTable);
  }
}
