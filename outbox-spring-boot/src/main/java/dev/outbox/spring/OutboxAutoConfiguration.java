package dev.outbox.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.OutboxException;
import dev.outbox.drain.BatchHandler;
import dev.outbox.drain.DrainerBuilder;
import dev.outbox.drain.JobHandler;
import dev.outbox.drain.TransactionalHandler;
import dev.outbox.jdbc.Dialect;
import dev.outbox.jdbc.JdbcOutbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ResolvableType;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.util.ClassUtils;

/**
 * The outbox over the application's {@code DataSource}: a {@link JdbcOutbox} for the sealed root
 * named by {@code outbox.job-root} (unless the application declares its own), the {@link
 * SpringOutbox} enqueue facade, and the drainer as an {@link OutboxDrainerLifecycle} fed by the
 * handler bean (off with {@code outbox.drainer.enabled=false}). Transactional handlers run in
 * transactions of the application's {@link PlatformTransactionManager} ({@link
 * SpringTransactionRunner}). Works with Spring Boot 4.0 and 3.5.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
      "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
      "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration",
      "org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration",
      "org.springframework.boot.autoconfigure.liquibase.LiquibaseAutoConfiguration"
    })
@ConditionalOnClass(DataSourceUtils.class)
@ConditionalOnBean(DataSource.class)
@EnableConfigurationProperties(OutboxProperties.class)
public class OutboxAutoConfiguration {
  private static final Logger log = LoggerFactory.getLogger(OutboxAutoConfiguration.class);
  private static final List<String> MIGRATION_TOOLS =
      List.of("org.flywaydb.core.Flyway", "liquibase.integration.spring.SpringLiquibase");

  /** Library setting names as the properties that set them. */
  private static final Map<String, String> PROPERTY_NAMES =
      Map.of(
          "jobTable", "outbox.job-table",
          "deadLetterTable", "outbox.dead-letter-table",
          "maxPayloadBytes", "outbox.max-payload-bytes",
          "batchSize", "outbox.drainer.batch-size",
          "concurrency", "outbox.drainer.concurrency",
          "pollInterval", "outbox.drainer.poll-interval",
          "lease", "outbox.drainer.lease",
          "maxAttempts", "outbox.drainer.max-attempts",
          "shutdownTimeout", "outbox.drainer.shutdown-timeout",
          "name", "outbox.drainer.name");

  /** The outbox for {@code outbox.job-root}, its tables created as {@code outbox.schema.*} says. */
  @Bean
  @ConditionalOnMissingBean(JdbcOutbox.class)
  public JdbcOutbox<?> outbox(
      DataSource dataSource,
      OutboxProperties properties,
      ObjectProvider<PlatformTransactionManager> transactionManager,
      ObjectProvider<ObjectMapper> objectMapper,
      ListableBeanFactory beans) {
    @SuppressWarnings("unchecked")
    Class<Object> root = (Class<Object>) properties.getJobRoot();
    if (root == null) {
      throw new OutboxException.Misconfigured(
          "outbox.job-root is not set: name the sealed interface your jobs implement"
              + " (outbox.job-root=com.example.ShopJob), or declare a JdbcOutbox bean");
    }
    JdbcOutbox.Builder<Object> builder =
        JdbcOutbox.builder(dataSource, root)
            .jobTable(properties.getJobTable())
            .deadLetterTable(properties.getDeadLetterTable())
            .maxPayloadBytes(properties.getMaxPayloadBytes());
    objectMapper.ifUnique(builder::objectMapper);
    transactionManager.ifUnique(tm -> builder.transactionRunner(SpringTransactionRunner.of(tm)));
    JdbcOutbox<Object> outbox = namingProperties(builder::build);
    if (initializesSchema(properties.getSchema().getInitialize(), outbox, beans)) {
      outbox.createSchemaIfMissing();
    }
    return outbox;
  }

  /** The enqueue facade joining the Spring-managed transaction. */
  @Bean
  @ConditionalOnMissingBean(SpringOutbox.class)
  public SpringOutbox<?> springOutbox(JdbcOutbox<?> outbox, DataSource dataSource) {
    return SpringOutbox.of(outbox, dataSource);
  }

  /** The drainer, fed by the one handler bean and any {@link OutboxDrainerCustomizer}s. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(
      prefix = "outbox.drainer",
      name = "enabled",
      havingValue = "true",
      matchIfMissing = true)
  public OutboxDrainerLifecycle outboxDrainer(
      JdbcOutbox<?> outbox,
      SpringOutbox<?> springOutbox,
      DataSource dataSource,
      OutboxProperties properties,
      ConfigurableListableBeanFactory beans,
      ObjectProvider<OutboxDrainerCustomizer<?>> customizers) {
    Class<?> root = outbox.codec().root();
    List<String> names = rootHandlerNames(beans, root);
    if (names.size() > 1) {
      throw new OutboxException.Misconfigured(
          "found "
              + names.size()
              + " handler beans for "
              + root.getName()
              + " "
              + names
              + ": declare one JobHandler, BatchHandler or TransactionalHandler for the job root;"
              + " per-type transactional handlers go in an OutboxDrainerCustomizer");
    }
    List<Object> handlers = names.stream().map(beans::getBean).toList();
    @SuppressWarnings({"unchecked", "rawtypes"})
    Supplier<dev.outbox.drain.Drainer<?>> factory =
        () ->
            namingProperties(
                () ->
                    configure(
                            (DrainerBuilder) outbox.drainer(),
                            properties.getDrainer(),
                            handlers,
                            customizers)
                        .build());
    OutboxDrainerLifecycle lifecycle =
        new OutboxDrainerLifecycle(factory, properties.getDrainer().getShutdownTimeout());
    springOutbox.onCommit(lifecycle::wake);
    Integer concurrency = properties.getDrainer().getConcurrency();
    PoolCheck.warning(
            dataSource, concurrency != null ? concurrency : DrainerBuilder.DEFAULT_CONCURRENCY)
        .ifPresent(warning -> log.warn("outbox: {}", warning));
    return lifecycle;
  }

  /**
   * Handler beans for the root: declared for it, or without a type argument. A bean declared for
   * one leaf ({@code TransactionalHandler<ChargeCard>}) is not one: per-type handlers are set in an
   * {@link OutboxDrainerCustomizer}.
   */
  private static List<String> rootHandlerNames(
      ConfigurableListableBeanFactory beans, Class<?> root) {
    List<String> names = new ArrayList<>();
    for (Class<?> shape :
        List.of(JobHandler.class, BatchHandler.class, TransactionalHandler.class)) {
      for (String name : beans.getBeanNamesForType(shape)) {
        boolean forRoot = beans.isTypeMatch(name, ResolvableType.forClassWithGenerics(shape, root));
        if (!forRoot && beans.containsBeanDefinition(name)) {
          ResolvableType declared = beans.getMergedBeanDefinition(name).getResolvableType();
          forRoot = declared.as(shape).getGeneric(0).resolve() == null;
        }
        if (forRoot) {
          names.add(name);
        }
      }
    }
    return names;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static DrainerBuilder<Object> configure(
      DrainerBuilder<Object> drainer,
      OutboxProperties.Drainer settings,
      List<Object> handlers,
      ObjectProvider<OutboxDrainerCustomizer<?>> customizers) {
    if (settings.getName() != null) {
      drainer.name(settings.getName());
    }
    if (settings.getBatchSize() != null) {
      drainer.batchSize(settings.getBatchSize());
    }
    if (settings.getConcurrency() != null) {
      drainer.concurrency(settings.getConcurrency());
    }
    if (settings.getPollInterval() != null) {
      drainer.pollInterval(settings.getPollInterval());
    }
    if (settings.getLease() != null) {
      drainer.lease(settings.getLease());
    }
    if (settings.getMaxAttempts() != null) {
      drainer.maxAttempts(settings.getMaxAttempts());
    }
    if (settings.getListen() != null) {
      drainer.listen(settings.getListen());
    }
    drainer.shutdownTimeout(settings.getShutdownTimeout());
    for (Object handler : handlers) {
      if (handler instanceof JobHandler<?> job) {
        drainer.handler((JobHandler) job);
      } else if (handler instanceof BatchHandler<?> batch) {
        drainer.batchHandler((BatchHandler) batch);
      } else {
        drainer.transactionalHandler((TransactionalHandler) handler);
      }
    }
    customizers
        .orderedStream()
        .forEach(customizer -> ((OutboxDrainerCustomizer) customizer).customize(drainer));
    return drainer;
  }

  private static boolean initializesSchema(
      OutboxProperties.Initialization mode, JdbcOutbox<?> outbox, ListableBeanFactory beans) {
    return switch (mode) {
      case ALWAYS -> true;
      case NEVER -> false;
      case EMBEDDED -> outbox.dialect() == Dialect.H2 && !hasMigrationTool(beans);
    };
  }

  private static boolean hasMigrationTool(ListableBeanFactory beans) {
    ClassLoader loader = OutboxAutoConfiguration.class.getClassLoader();
    for (String tool : MIGRATION_TOOLS) {
      if (ClassUtils.isPresent(tool, loader)
          && beans.getBeanNamesForType(ClassUtils.resolveClassName(tool, loader), true, false)
                  .length
              > 0) {
        return true;
      }
    }
    return false;
  }

  /** Runs a build, naming the property behind a refused setting. */
  private static <T> T namingProperties(Supplier<T> build) {
    try {
      return build.get();
    } catch (OutboxException.Misconfigured e) {
      String message = e.getMessage();
      int space = message.indexOf(' ');
      String setting = space > 0 ? message.substring(0, space) : "";
      String property = PROPERTY_NAMES.get(setting);
      if (property != null) {
        throw new OutboxException.Misconfigured(property + message.substring(space), e);
      }
      if (message.startsWith("no handler") || message.startsWith("set one default handler")) {
        throw new OutboxException.Misconfigured(
            message
                + " (declare one JobHandler, BatchHandler or TransactionalHandler bean for the job"
                + " root, or set outbox.drainer.enabled=false on nodes that only enqueue)",
            e);
      }
      throw e;
    }
  }
}
