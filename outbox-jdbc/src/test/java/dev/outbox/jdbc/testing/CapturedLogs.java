package dev.outbox.jdbc.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The lines one logger writes at INFO and above while open, kept for the test instead of printed.
 */
public final class CapturedLogs implements AutoCloseable {
  private final Logger logger;
  private final Level level;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private CapturedLogs(Class<?> loggerOf) {
    logger = (Logger) LoggerFactory.getLogger(loggerOf);
    level = logger.getLevel();
    appender.start();
    logger.addAppender(appender);
    logger.setAdditive(false);
    logger.setLevel(Level.INFO);
  }

  public static CapturedLogs of(Class<?> loggerOf) {
    return new CapturedLogs(loggerOf);
  }

  /** The formatted lines at {@code level}, in order. */
  public List<String> at(Level level) {
    return appender.list.stream()
        .filter(event -> event.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setAdditive(true);
    logger.setLevel(level);
  }
}
