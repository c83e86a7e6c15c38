package dev.outbox.forward;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Packs events into request bodies: JSON arrays bounded by bytes and by count. */
final class Batches {
  private Batches() {}

  /**
   * Splits the events, in order, into runs whose array body fits {@code maxBytes} and that hold at
   * most {@code maxCount} events. Every single event must fit on its own.
   */
  static List<List<OutgoingEvent>> pack(List<OutgoingEvent> events, int maxBytes, int maxCount) {
    List<List<OutgoingEvent>> batches = new ArrayList<>();
    List<OutgoingEvent> current = new ArrayList<>();
    long bytes = 2; // the brackets
    for (OutgoingEvent event : events) {
      long added = event.size() + (current.isEmpty() ? 0 : 1);
      if (!current.isEmpty() && (bytes + added > maxBytes || current.size() == maxCount)) {
        batches.add(current);
        current = new ArrayList<>();
        bytes = 2;
        added = event.size();
      }
      current.add(event);
      bytes += added;
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }

  /** The request body: the events as one JSON array. */
  static byte[] body(List<OutgoingEvent> events) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(size(events));
    body.write('[');
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        body.write(',');
      }
      body.writeBytes(events.get(i).json());
    }
    body.write(']');
    return body.toByteArray();
  }

  /** The size of {@link #body(List)} in bytes. */
  static int size(List<OutgoingEvent> events) {
    int size = 2 + Math.max(0, events.size() - 1);
    for (OutgoingEvent event : events) {
      size += event.size();
    }
    return size;
  }
}
