package dev.outbox.forward;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The {@code x-inngest-event-id-seed} header: {@code <millis>,<base64 of 10 bytes>}, from which
 * Inngest derives its internal ids for the events of one request.
 *
 * <p>Inngest's SDKs make a random seed per send and keep it in memory across their retries. The
 * forwarder's retries go through the drainer (a later claim, possibly in another process), so it
 * cannot carry a random value along; instead the seed is derived from the request itself: the
 * millis are the first event's {@code ts} (its job's creation time) and the 10 bytes are the first
 * 10 bytes of the SHA-256 of the event ids, in order. The same events resent in the same request
 * get the same seed, hence the same internal ids, from any process; a different set of events gets
 * a different seed. When a resend groups the events differently (new jobs joined the claim, a batch
 * was split), the seed differs, and deduplication rests on each event's own {@code id}, which never
 * changes.
 */
final class IdSeed {
  static final String HEADER = "x-inngest-event-id-seed";

  private IdSeed() {}

  /** The seed of a request carrying these events (never empty). */
  static String of(List<OutgoingEvent> events) {
    MessageDigest sha256 = sha256();
    for (OutgoingEvent event : events) {
      sha256.update(event.id().getBytes(StandardCharsets.UTF_8));
      sha256.update((byte) '\n');
    }
    byte[] entropy = Arrays.copyOf(sha256.digest(), 10);
    return events.get(0).ts() + "," + Base64.getEncoder().encodeToString(entropy);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
