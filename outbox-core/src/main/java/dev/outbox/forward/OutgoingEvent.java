package dev.outbox.forward;

/**
 * One job's event, serialized and checked, ready to go into a request.
 *
 * @param jobId the job it was made from
 * @param id the event's deduplication id
 * @param name the event's name
 * @param ts the event's timestamp, epoch milliseconds
 * @param json the event object as UTF-8 JSON
 */
record OutgoingEvent(long jobId, String id, String name, long ts, byte[] json) {

  /** The event's size in bytes. */
  int size() {
    return json.length;
  }
}
