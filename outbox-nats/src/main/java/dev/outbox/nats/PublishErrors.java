package dev.outbox.nats;

import io.nats.client.JetStreamApiException;
import java.io.IOException;

/** What a failed publish means for its job. */
enum PublishErrors {
  /** No stream stores the subject (503, no responders): pause, use no attempt. */
  NO_STREAM,
  /** The stream refused the message (its own error code and description): use an attempt. */
  REFUSED,
  /** It may work later: I/O, a connection lost or reconnecting. */
  TRANSIENT;

  static PublishErrors classify(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof JetStreamApiException) {
        return REFUSED;
      }
      // jnats completes a publish to a subject without a stream with this IOException.
      if (cause instanceof IOException
          && cause.getMessage() != null
          && cause.getMessage().contains("503")) {
        return NO_STREAM;
      }
    }
    return TRANSIENT;
  }

  /** The innermost cause with a message, for logs and dead letters. */
  static Throwable root(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
