package dev.outbox.nats;

import io.nats.client.Options;
import java.time.Duration;

/** A forwarder's settings, frozen when it is built. */
record NatsSettings<J>(
    Options options,
    NatsMessages<J> messages,
    Duration ackTimeout,
    Duration retryDelay,
    Duration missingStreamPause) {}
