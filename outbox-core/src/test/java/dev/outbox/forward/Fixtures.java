package dev.outbox.forward;

import dev.outbox.drain.Outcome;
import dev.outbox.job.Job;
import dev.outbox.job.JobCodec;
import dev.outbox.job.JobKind;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/** Jobs, a codec and forwarders for the forward tests. */
final class Fixtures {
  static {
    debugLogs();
  }

  static final String KEY = "evt-KEY-0123456789abcdef";
  static final Instant EPOCH = Instant.parse("2026-01-02T03:04:05.678Z");
  static final JobCodec<ShopJob> CODEC = JobCodec.of(ShopJob.class);

  sealed interface ShopJob
      permits SendWelcomeEmail,
          ChargeCard,
          UserCreated,
          EntityChanged,
          Attachment,
          Reserved,
          Nameless {}

  record SendWelcomeEmail(long userId, String email) implements ShopJob {}

  record ChargeCard(long orderId, long cents) implements ShopJob {}

  @JobKind("db/users.created")
  record UserCreated(long id, String name) implements ShopJob {}

  /** A family of change events: the leaf receives every kind starting with {@code db/}. */
  @JobKind(value = "db/", prefix = true)
  record EntityChanged(String kind, String table, long rowId) implements ShopJob {}

  record Attachment(String content) implements ShopJob {}

  @JobKind("inngest/function.failed")
  record Reserved(long id) implements ShopJob {}

  @JobKind("_")
  record Nameless(long id) implements ShopJob {}

  private Fixtures() {}

  /**
   * Turns the forwarder's debug lines on, so that the key-secrecy test sees them too. slf4j-simple
   * reads a logger's level when the logger is made: call this before the forwarder's class loads.
   */
  static void debugLogs() {
    String level = "org.slf4j.simpleLogger.log.dev.outbox.forward";
    if (System.getProperty(level) == null) {
      System.setProperty(level, "debug");
    }
  }

  /** A first-attempt job with id {@code id}, created {@code id} ms after {@link #EPOCH}. */
  static Job<ShopJob> job(long id, ShopJob payload) {
    String kind = CODEC.encode(payload).kind();
    return new Job<>(
        id, eventIdOf(id), kind, payload, 1, EPOCH.plusMillis(id), Option.none(), Option.none());
  }

  /** Welcome emails for ids {@code from} to {@code to} inclusive. */
  static List<Job<ShopJob>> welcomeEmails(long from, long to) {
    List<Job<ShopJob>> jobs = new ArrayList<>();
    LongStream.rangeClosed(from, to)
        .forEach(id -> jobs.add(job(id, new SendWelcomeEmail(id, "user" + id + "@example.com"))));
    return jobs;
  }

  /**
   * A forwarder to the test server with the prefix {@code shop/}. The timeout leaves a cold JVM
   * time for its first request; tests of timeouts set their own.
   */
  static InngestForwarderBuilder<ShopJob> forwarderTo(InngestTestServer server) {
    return InngestForwarder.builder(CODEC)
        .baseUrl(server.baseUrl())
        .eventKey(KEY)
        .namePrefix("shop/")
        .requestTimeout(Duration.ofSeconds(5))
        .misconfigurationPause(Duration.ofMinutes(5));
  }

  /** The event id the forwarder gives a welcome email job. */
  static String welcomeId(long jobId) {
    return eventIdOf(jobId);
  }

  /** The event id {@link #job} gives the job with id {@code jobId}: distinct per job id. */
  static String eventIdOf(long jobId) {
    return String.format("00000000-0000-7000-8000-%012d", jobId);
  }

  static long count(Map<Long, Outcome> outcomes, Class<? extends Outcome> type) {
    return outcomes.values().stream().filter(type::isInstance).count();
  }

  static String text(Throwable error) {
    return error.getClass().getName() + ": " + error.getMessage();
  }
}
