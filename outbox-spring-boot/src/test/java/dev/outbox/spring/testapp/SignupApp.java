package dev.outbox.spring.testapp;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.JobHandler;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.spring.OutboxDrainerCustomizer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A signup application: a service that writes a user row and enqueues in one {@code @Transactional}
 * method, a job handler bean for the root, and a transactional handler for {@link SignupJob.Audit}
 * that writes with {@code JdbcTemplate} and through a {@code @Transactional} bean. The database is
 * {@code test.database}, a {@link TestDatabase}.
 */
@SpringBootApplication
public class SignupApp {

  /** Emails whose welcome job was handled. */
  public static final class Welcomed {
    public final Set<String> emails = ConcurrentHashMap.newKeySet();
  }

  @Bean(destroyMethod = "close")
  HikariDataSource dataSource(@Value("${test.database}") TestDatabase database) {
    return database.open(12);
  }

  @Bean
  Welcomed welcomed() {
    return new Welcomed();
  }

  @Bean
  JobHandler<SignupJob> welcomes(Welcomed welcomed) {
    return JobHandler.consuming(
        job -> {
          if (job instanceof SignupJob.Welcome welcome) {
            welcomed.emails.add(welcome.email());
          }
        });
  }

  @Bean
  OutboxDrainerCustomizer<SignupJob> auditsInTheTransaction(AuditHandler audits) {
    return drainer -> drainer.transactional(SignupJob.Audit.class, audits::handle);
  }
}
