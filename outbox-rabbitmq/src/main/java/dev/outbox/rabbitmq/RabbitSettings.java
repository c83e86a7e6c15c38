package dev.outbox.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;

/** A forwarder's settings, frozen when it is built; the factory is the forwarder's own copy. */
record RabbitSettings<J>(
    ConnectionFactory connectionFactory,
    RabbitMessages<J> messages,
    Duration confirmTimeout,
    Duration retryDelay,
    Duration misconfigurationPause) {}
