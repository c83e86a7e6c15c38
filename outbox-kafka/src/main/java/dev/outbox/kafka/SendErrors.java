package dev.outbox.kafka;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnknownServerException;

/** What a failed send means for its job. */
enum SendErrors {
  /** The broker can never take this record: dead-letter it alone. */
  REJECTED,
  /** The producer may not write (authorization, authentication): pause, use no attempt. */
  MISCONFIGURED,
  /** It may work later (broker down, leader moving, a timeout, a topic not yet there). */
  TRANSIENT,
  /** Anything else: a failure that uses an attempt. */
  OTHER;

  static SendErrors classify(Throwable cause) {
    if (cause instanceof RecordTooLargeException
        || cause instanceof RecordBatchTooLargeException
        || cause instanceof InvalidTopicException
        || cause instanceof SerializationException) {
      return REJECTED;
    }
    if (cause instanceof AuthorizationException || cause instanceof AuthenticationException) {
      return MISCONFIGURED;
    }
    if (cause instanceof RetriableException || cause instanceof UnknownServerException) {
      return TRANSIENT;
    }
    return OTHER;
  }
}
