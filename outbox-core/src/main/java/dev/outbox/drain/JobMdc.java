package dev.outbox.drain;

import dev.outbox.job.Job;
import org.slf4j.MDC;

/**
 * The job a handler runs, in the SLF4J MDC of its thread while it runs, so that the user's own log
 * lines show it: {@value #ID}, {@value #KIND} and {@value #ATTEMPT}. Removed on {@link #close()}.
 */
final class JobMdc implements AutoCloseable {
  static final String ID = "outbox.job.id";
  static final String KIND = "outbox.job.kind";
  static final String ATTEMPT = "outbox.job.attempt";

  private static final JobMdc INSTANCE = new JobMdc();

  private JobMdc() {}

  static JobMdc of(Job<?> job) {
    MDC.put(ID, Long.toString(job.id()));
    MDC.put(KIND, job.kind());
    MDC.put(ATTEMPT, Integer.toString(job.attempt()));
    return INSTANCE;
  }

  @Override
  public void close() {
    MDC.remove(ID);
    MDC.remove(KIND);
    MDC.remove(ATTEMPT);
  }
}
