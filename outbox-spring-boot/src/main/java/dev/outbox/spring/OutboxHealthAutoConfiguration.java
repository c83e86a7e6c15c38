package dev.outbox.spring;

import dev.outbox.jdbc.JdbcOutbox;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * The {@code outbox} health indicator, where Spring Boot 4's health API is present; off with {@code
 * management.health.outbox.enabled=false}.
 */
@AutoConfiguration(after = OutboxAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
@ConditionalOnBean(JdbcOutbox.class)
@ConditionalOnProperty(
    name = "management.health.outbox.enabled",
    havingValue = "true",
    matchIfMissing = true)
public class OutboxHealthAutoConfiguration {

  /** Named so that its health is reported as {@code outbox}. */
  @Bean
  @ConditionalOnMissingBean(name = "outboxHealthIndicator")
  public OutboxHealthIndicator outboxHealthIndicator(
      JdbcOutbox<?> outbox, ObjectProvider<OutboxDrainerLifecycle> drainer) {
    return new OutboxHealthIndicator(outbox, drainer.getIfAvailable());
  }
}
