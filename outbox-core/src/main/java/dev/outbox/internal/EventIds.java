package dev.outbox.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Event ids: what every forwarder sends so that a destination can drop repeats. Internal: not API.
 *
 * <p>{@link #next()} makes a job's id at enqueue, in the JVM: a UUID version 7 (RFC 9562), the
 * epoch millisecond in its first 48 bits, then 74 random bits. The random bits come from a
 * generator per thread seeded from {@link SecureRandom}, so ids never repeat across threads,
 * processes, databases or sequence resets (two ids of one millisecond collide with probability
 * 2<sup>-74</sup>), and no thread waits on a shared source.
 *
 * <p>{@link #keyed} derives the id of a job enqueued with an idempotency key from the key and the
 * event name: a UUID version 8 whose 122 free bits are the first bits of SHA-256 over both, so two
 * jobs with one key and one name send the same id wherever and whenever they were enqueued.
 */
public final class EventIds {
  private static final SecureRandom SEEDS = new SecureRandom();
  private static final ThreadLocal<SplittableRandom> RANDOM =
      ThreadLocal.withInitial(() -> new SplittableRandom(seed()));

  private EventIds() {}

  /** A fresh time-ordered id (UUIDv7) in its 36-character text form. */
  public static String next() {
    return next(System.currentTimeMillis()).toString();
  }

  static UUID next(long epochMillis) {
    SplittableRandom random = RANDOM.get();
    long high = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low);
  }

  /** Header names every message forwarder sets (the Inngest forwarder puts the id in the event). */
  public static final String EVENT_ID_HEADER = "outbox-event-id";

  /** Header: the job's kind. */
  public static final String KIND_HEADER = "outbox-kind";

  /** Header: the job's id in its table (unique there only). */
  public static final String JOB_ID_HEADER = "outbox-job-id";

  /** Header: when the job was enqueued, epoch milliseconds. */
  public static final String CREATED_AT_HEADER = "outbox-created-at";

  /**
   * The event id a forwarder sends for {@code job}: its own, or for a job with an idempotency key
   * the {@link #keyed} id of the key under {@code name} (the event name, or the kind where the
   * destination has no name of its own).
   */
  public static String of(dev.outbox.job.Job<?> job, String name) {
    return job.idempotencyKey().isDefined()
        ? keyed(name, job.idempotencyKey().get())
        : job.eventId();
  }

  /**
   * The id of a job with an idempotency key sent under an event name: equal for equal pairs,
   * different when either differs (the two are hashed with their lengths, so no pair of strings
   * runs into another).
   */
  public static String keyed(String eventName, String idempotencyKey) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    update(sha256, eventName);
    update(sha256, idempotencyKey);
    byte[] hash = sha256.digest();
    long high = 0;
    long low = 0;
    for (int i = 0; i < 8; i++) {
      high = (high << 8) | (hash[i] & 0xFF);
      low = (low << 8) | (hash[i + 8] & 0xFF);
    }
    high = (high & ~0xF000L) | 0x8000L;
    low = (low & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }

  private static void update(MessageDigest digest, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    digest.update(
        new byte[] {
          (byte) (bytes.length >>> 24),
          (byte) (bytes.length >>> 16),
          (byte) (bytes.length >>> 8),
          (byte) bytes.length
        });
    digest.update(bytes);
  }

  private static long seed() {
    synchronized (SEEDS) {
      return SEEDS.nextLong();
    }
  }
}
