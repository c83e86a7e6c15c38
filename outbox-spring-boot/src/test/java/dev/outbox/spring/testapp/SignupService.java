package dev.outbox.spring.testapp;

import dev.outbox.spring.SpringOutbox;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Writes a user and enqueues in one Spring transaction; throws after both when asked. */
@Service
public class SignupService {
  private final JdbcTemplate jdbc;
  private final SpringOutbox<SignupJob> outbox;
  private final DomainTables tables;

  SignupService(JdbcTemplate jdbc, SpringOutbox<SignupJob> outbox, DomainTables tables) {
    this.jdbc = jdbc;
    this.outbox = outbox;
    this.tables = tables;
  }

  @Transactional
  public void signUp(String email, boolean thenFail) {
    jdbc.update("INSERT INTO " + tables.users() + " (email) VALUES (?)", email);
    outbox.enqueue(new SignupJob.Welcome(email));
    if (thenFail) {
      throw new IllegalStateException("signup of " + email + " failed after the enqueue");
    }
  }

  @Transactional
  public void signUpAll(List<String> emails) {
    for (String email : emails) {
      jdbc.update("INSERT INTO " + tables.users() + " (email) VALUES (?)", email);
    }
    outbox.enqueueAll(emails.stream().map(SignupJob.Welcome::new).toList());
  }

  @Transactional
  public void audit(String email, boolean handlerFails) {
    outbox.enqueue(new SignupJob.Audit(email, handlerFails));
  }
}
