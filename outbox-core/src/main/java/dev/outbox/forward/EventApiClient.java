package dev.outbox.forward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vavr.control.Option;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Posts one request to {@code {base}/e/{key}} and sorts the answer into a {@link Reply}. */
final class EventApiClient {
  private static final int MAX_ERROR_CHARS = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final URI endpoint;
  private final EventKey key;
  private final Option<String> env;
  private final Duration requestTimeout;

  EventApiClient(
      HttpClient http, URI endpoint, EventKey key, Option<String> env, Duration requestTimeout) {
    this.http = http;
    this.endpoint = endpoint;
    this.key = key;
    this.env = env;
    this.requestTimeout = requestTimeout;
  }

  /**
   * Sends the events as one JSON array. Never throws for a failed request: every failure is a
   * {@link Reply}, and its text never holds the event key.
   */
  Reply send(List<OutgoingEvent> events) throws InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint)
            .timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .header(IdSeed.HEADER, IdSeed.of(events))
            .POST(HttpRequest.BodyPublishers.ofByteArray(Batches.body(events)));
    env.forEach(branch -> request.header("x-inngest-env", branch));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return new Reply.Trouble(-1, describe(e));
    }
    return sort(response.statusCode(), response.body());
  }

  private Reply sort(int status, String body) {
    String error = errorText(body);
    if (status == 200) {
      return isSuccess(body)
          ? new Reply.Accepted()
          : new Reply.Trouble(status, "the response is not {\"status\":200}: " + error);
    }
    if (status == 400) {
      return new Reply.Rejected(error);
    }
    if (status == 413) {
      return new Reply.TooLarge(error);
    }
    if (status == 401 || status == 403 || status == 404 || (status >= 300 && status < 400)) {
      return new Reply.Misconfigured(status, error);
    }
    return new Reply.Trouble(status, error);
  }

  private static boolean isSuccess(String body) {
    JsonNode reply = parse(body);
    return reply != null
        && reply.path("status").asInt() == 200
        && (reply.path("error").isMissingNode() || reply.path("error").isNull());
  }

  /** The response's {@code error} field, or else its text; bounded and without the key. */
  private String errorText(String body) {
    JsonNode reply = parse(body);
    String text =
        reply != null && reply.path("error").isTextual() ? reply.get("error").asText() : body;
    text = key.scrub(text == null ? "" : text.strip());
    if (text.isEmpty()) {
      return "(empty response body)";
    }
    return text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS) + "…";
  }

  private String describe(IOException e) {
    if (e instanceof HttpTimeoutException) {
      return "no response within " + requestTimeout.toMillis() + " ms (requestTimeout)";
    }
    if (e instanceof ConnectException) {
      String where = endpoint.getHost() + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort());
      return "could not connect to " + where + ": " + chain(e);
    }
    return "the request failed: " + chain(e);
  }

  /** The exception and its causes, each once, without the key. */
  private String chain(Throwable error) {
    Set<String> texts = new LinkedHashSet<>();
    Throwable t = error;
    for (int depth = 0; t != null && depth < 5; depth++, t = t.getCause()) {
      texts.add(key.scrub(t.getMessage() == null ? t.getClass().getName() : t.toString()));
    }
    return String.join(", caused by ", texts);
  }

  private static JsonNode parse(String body) {
    try {
      return body == null || body.isBlank() ? null : JSON.readTree(body);
    } catch (IOException notJson) {
      return null;
    }
  }
}
