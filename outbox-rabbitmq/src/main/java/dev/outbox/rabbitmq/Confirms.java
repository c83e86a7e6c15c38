package dev.outbox.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.outbox.internal.EventIds;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the broker said about one batch published on one channel: each message's confirm (ack or
 * nack), its return when unroutable, and the channel's shutdown. Thread-safe; the client calls the
 * listeners on its connection thread while the batch's thread waits.
 */
final class Confirms implements ConfirmListener, ReturnListener, ShutdownListener {
  /** Published and not yet confirmed: publish sequence number to job id. */
  private final NavigableMap<Long, Long> pending = new TreeMap<>();

  private final Set<Long> acked = new HashSet<>();
  private final Set<Long> nacked = new HashSet<>();
  private final Map<Long, String> returned = new HashMap<>();
  private ShutdownSignalException shutdown;

  /** What became of one job's message. */
  enum State {
    ACKED,
    NACKED,
    RETURNED,
    /** No confirm came: not published, the channel lost, or the confirm timeout passed. */
    UNKNOWN
  }

  synchronized void published(long sequenceNumber, long jobId) {
    pending.put(sequenceNumber, jobId);
  }

  /** Waits until every published message is confirmed, the channel shuts down or the deadline. */
  synchronized void await(long deadlineNanos) throws InterruptedException {
    long left;
    while (!pending.isEmpty()
        && shutdown == null
        && (left = deadlineNanos - System.nanoTime()) > 0) {
      wait(Math.max(1, left / 1_000_000));
    }
  }

  synchronized State state(long jobId) {
    if (returned.containsKey(jobId)) {
      return State.RETURNED;
    }
    if (acked.contains(jobId)) {
      return State.ACKED;
    }
    return nacked.contains(jobId) ? State.NACKED : State.UNKNOWN;
  }

  /** The broker's reason for returning this job's message. */
  synchronized String returnReason(long jobId) {
    return returned.get(jobId);
  }

  /** The channel's shutdown, or null while it is open. */
  synchronized ShutdownSignalException shutdown() {
    return shutdown;
  }

  @Override
  public void handleAck(long sequenceNumber, boolean multiple) {
    confirm(sequenceNumber, multiple, acked);
  }

  @Override
  public void handleNack(long sequenceNumber, boolean multiple) {
    confirm(sequenceNumber, multiple, nacked);
  }

  private synchronized void confirm(long sequenceNumber, boolean multiple, Set<Long> into) {
    NavigableMap<Long, Long> confirmed =
        multiple
            ? pending.headMap(sequenceNumber, true)
            : pending.subMap(sequenceNumber, true, sequenceNumber, true);
    into.addAll(confirmed.values());
    confirmed.clear();
    notifyAll();
  }

  @Override
  public synchronized void handleReturn(
      int replyCode,
      String replyText,
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body) {
    Object jobId = properties.getHeaders().get(EventIds.JOB_ID_HEADER);
    returned.put(
        Long.parseLong(jobId.toString()),
        "RabbitMQ returned the message as unroutable ("
            + replyCode
            + " "
            + replyText
            + "): no queue is bound to exchange '"
            + exchange
            + "' for routing key '"
            + routingKey
            + "'");
  }

  @Override
  public synchronized void shutdownCompleted(ShutdownSignalException cause) {
    shutdown = cause;
    notifyAll();
  }
}
