package dev.outbox.nats;

import dev.outbox.internal.EventIds;
import dev.outbox.internal.KindNames;
import dev.outbox.job.Job;
import dev.outbox.job.JobCodec;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

/** Maps a job to its message: subject, body and headers, the event id among them. Immutable. */
final class NatsMessages<J> {
  /** The header JetStream deduplicates by, within the stream's duplicate window. */
  static final String MSG_ID = "Nats-Msg-Id";

  private final JobCodec<J> codec;
  private final String subjectPrefix;
  private final Map<Class<?>, String> subjects;
  private final Function<? super J, String> subjectFunction;
  private final Function<? super J, byte[]> bodies;

  NatsMessages(
      JobCodec<J> codec,
      String subjectPrefix,
      Map<Class<?>, String> subjects,
      Function<? super J, String> subjectFunction,
      Function<? super J, byte[]> bodies) {
    this.codec = codec;
    this.subjectPrefix = subjectPrefix;
    this.subjects = Map.copyOf(subjects);
    this.subjectFunction = subjectFunction;
    this.bodies = bodies;
  }

  /** A job's message, ready to publish. */
  record Message(String subject, Headers headers, byte[] body) {}

  Message of(Job<J> job) {
    J payload = job.payload();
    byte[] body =
        bodies != null
            ? bodies.apply(payload)
            : codec.encode(payload).payload().getBytes(StandardCharsets.UTF_8);
    String eventId = EventIds.of(job, job.kind());
    Headers headers = new Headers();
    headers.put(MSG_ID, eventId);
    headers.put(EventIds.EVENT_ID_HEADER, eventId);
    headers.put(EventIds.KIND_HEADER, job.kind());
    headers.put(EventIds.JOB_ID_HEADER, Long.toString(job.id()));
    headers.put(EventIds.CREATED_AT_HEADER, Long.toString(job.createdAt().toEpochMilli()));
    return new Message(subjectOf(job), headers, body);
  }

  private String subjectOf(Job<J> job) {
    String mapped = subjects.get(job.payload().getClass());
    if (mapped != null) {
      return mapped;
    }
    if (subjectFunction != null) {
      return subjectFunction.apply(job.payload());
    }
    return defaultSubject(subjectPrefix, job.kind());
  }

  /**
   * The prefix and the kind as dashed lowercase words, {@code /} as {@code .} (a subject token) and
   * any other character not allowed in a subject token (whitespace, the wildcards {@code *} and
   * {@code >}, anything outside ASCII) as {@code -}: {@code SendWelcomeEmail} becomes {@code
   * send-welcome-email}, {@code db/users.created} becomes {@code db.users.created}.
   */
  static String defaultSubject(String prefix, String kind) {
    String dashed = KindNames.dashed(kind.replace('/', '.'));
    StringBuilder subject = new StringBuilder(prefix.length() + dashed.length());
    subject.append(prefix);
    for (int i = 0; i < dashed.length(); i++) {
      char c = dashed.charAt(i);
      boolean allowed =
          c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-');
      subject.append(allowed ? c : '-');
    }
    return subject.toString();
  }
}
