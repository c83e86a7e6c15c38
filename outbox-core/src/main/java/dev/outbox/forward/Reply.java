package dev.outbox.forward;

/** How the Event API answered one request, sorted by what the forwarder does about it. */
sealed interface Reply {

  /** 200 with {@code "status":200}: every event of the request is in. */
  record Accepted() implements Reply {}

  /** 400: at least one event is bad; the events before it may have been accepted. */
  record Rejected(String error) implements Reply {}

  /** 413: the request is too large for the server. */
  record TooLarge(String error) implements Reply {}

  /** 401, 403, 404 or a redirect: the key, base URL or environment is wrong. */
  record Misconfigured(int status, String error) implements Reply {}

  /** I/O error, timeout, 429, 5xx or anything unexpected: worth trying again later. */
  record Trouble(int status, String error) implements Reply {

    /** What went wrong, for logs and for the jobs' error text. */
    String describe() {
      return status < 0 ? error : "HTTP " + status + ": " + error;
    }
  }
}
