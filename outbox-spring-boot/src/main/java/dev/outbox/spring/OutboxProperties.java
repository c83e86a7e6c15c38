package dev.outbox.spring;

import dev.outbox.drain.DrainerBuilder;
import dev.outbox.jdbc.JdbcOutbox;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code outbox.*} properties. Unset drainer settings take the library's defaults (stated on
 * {@link DrainerBuilder}); every value is checked when the context starts, and a bad one fails the
 * start with the property's name and value.
 */
@ConfigurationProperties(prefix = "outbox")
public class OutboxProperties {
  /** The sealed interface every job implements, for example com.example.ShopJob. */
  private Class<?> jobRoot;

  /** The job table, optionally schema-qualified; default outbox_job. */
  private String jobTable = JdbcOutbox.Builder.DEFAULT_JOB_TABLE;

  /** The dead-letter table, optionally schema-qualified; default outbox_dead_letter. */
  private String deadLetterTable = JdbcOutbox.Builder.DEFAULT_DEAD_LETTER_TABLE;

  /** The largest payload enqueue accepts, in UTF-8 bytes; default 1 MiB. */
  private int maxPayloadBytes = JdbcOutbox.Builder.DEFAULT_MAX_PAYLOAD_BYTES;

  private final Schema schema = new Schema();

  private final Drainer drainer = new Drainer();

  public Class<?> getJobRoot() {
    return jobRoot;
  }

  public void setJobRoot(Class<?> jobRoot) {
    this.jobRoot = jobRoot;
  }

  public String getJobTable() {
    return jobTable;
  }

  public void setJobTable(String jobTable) {
    this.jobTable = jobTable;
  }

  public String getDeadLetterTable() {
    return deadLetterTable;
  }

  public void setDeadLetterTable(String deadLetterTable) {
    this.deadLetterTable = deadLetterTable;
  }

  public int getMaxPayloadBytes() {
    return maxPayloadBytes;
  }

  public void setMaxPayloadBytes(int maxPayloadBytes) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  public Schema getSchema() {
    return schema;
  }

  public Drainer getDrainer() {
    return drainer;
  }

  /** When the outbox creates its tables at startup, like {@code spring.sql.init.mode}. */
  public enum Initialization {
    /** Only on an embedded database (H2), and not when Flyway or Liquibase runs. */
    EMBEDDED,
    /** On every database, where missing (the migrations are idempotent). */
    ALWAYS,
    /** Never: apply the shipped migrations with Flyway or Liquibase. */
    NEVER
  }

  /** {@code outbox.schema.*}. */
  public static class Schema {
    /**
     * When to create the tables: embedded (H2 only, and not when a Flyway or Liquibase bean
     * exists), always, or never. The migrations for Flyway and Liquibase are in the outbox-jdbc jar
     * under dev/outbox/jdbc/schema/{postgresql,mariadb,h2}.
     */
    private Initialization initialize = Initialization.EMBEDDED;

    public Initialization getInitialize() {
      return initialize;
    }

    public void setInitialize(Initialization initialize) {
      this.initialize = initialize;
    }
  }

  /** {@code outbox.drainer.*}. */
  public static class Drainer {
    /** Whether this application drains; false on nodes that only enqueue. */
    private boolean enabled = true;

    /** A name for threads and log lines; default outbox-drainer. */
    private String name;

    /** Jobs claimed per statement, 1 to 10000; default 100. */
    private Integer batchSize;

    /** Handlers running at once, 1 to 1000; default 8. */
    private Integer concurrency;

    /** How often an idle drainer polls; default 1s. */
    private Duration pollInterval;

    /** How long a claimed job stays invisible to other drainers; default 2m. */
    private Duration lease;

    /** Attempts before a failing job is dead-lettered, 1 to 1000; default 10. */
    private Integer maxAttempts;

    /**
     * How long stopping waits for in-flight handlers before releasing their jobs; default 20s. Keep
     * it below spring.lifecycle.timeout-per-shutdown-phase (30s by default).
     */
    private Duration shutdownTimeout = OutboxDrainerLifecycle.DEFAULT_SHUTDOWN_TIMEOUT;

    /** Whether to listen for new jobs where the database pushes them (PostgreSQL); default true. */
    private Boolean listen;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public Integer getBatchSize() {
      return batchSize;
    }

    public void setBatchSize(Integer batchSize) {
      this.batchSize = batchSize;
    }

    public Integer getConcurrency() {
      return concurrency;
    }

    public void setConcurrency(Integer concurrency) {
      this.concurrency = concurrency;
    }

    public Duration getPollInterval() {
      return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }

    public Duration getLease() {
      return lease;
    }

    public void setLease(Duration lease) {
      this.lease = lease;
    }

    public Integer getMaxAttempts() {
      return maxAttempts;
    }

    public void setMaxAttempts(Integer maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    public Duration getShutdownTimeout() {
      return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
    }

    public Boolean getListen() {
      return listen;
    }

    public void setListen(Boolean listen) {
      this.listen = listen;
    }
  }
}
