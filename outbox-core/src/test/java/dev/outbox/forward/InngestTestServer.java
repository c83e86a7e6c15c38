package dev.outbox.forward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vavr.control.Option;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A real HTTP server implementing the Inngest Event API, for tests and benchmarks: {@code POST
 * /e/{key}} with one event object or a JSON array of events, on a free port of 127.0.0.1.
 *
 * <p>Like Inngest it checks the key (any non-empty key, or the one set by {@link #requireKey}, else
 * 401), the request size ({@link #maxRequestBytes}, else 413), the event count (at most {@value
 * #MAX_EVENTS}, else 400) and each event in order (non-empty name of at most 256 characters not
 * starting with {@code inngest/}, data an object, size within {@link #maxEventBytes}): the events
 * before a bad one are accepted, then it answers 400 {@code {"ids":[…],"status":400,"error":…}}.
 * Otherwise it answers 200 {@code {"ids":[…],"status":200}}. Every accepted event is stored; an
 * event triggers runs only the first time its {@code id} arrives.
 *
 * <p>Faults are queued and each applies to one request, in order: {@link #failNext}, {@link
 * #delayNext} (answers late, after accepting the events), {@link #dropResponseToNext} (accepts the
 * events, then closes the connection without answering), {@link #tooLargeNext}; and {@link
 * #rejectEvents} refuses chosen events with a 400. Thread-safe.
 */
public final class InngestTestServer implements AutoCloseable {
  /** The most events one request may carry. */
  public static final int MAX_EVENTS = 5000;

  private final ObjectMapper json = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService threads;
  private final Deque<Fault> faults = new ArrayDeque<>();
  private final List<ReceivedRequest> requests = new ArrayList<>();
  private final List<ReceivedEvent> events = new ArrayList<>();
  private final Map<String, Integer> receivedById = new HashMap<>();
  private volatile String requiredKey;
  private volatile int maxRequestBytes = 512 * 1024;
  private volatile int maxEventBytes = 256 * 1024;
  private volatile Predicate<JsonNode> rejected = event -> false;
  private volatile String rejection = "";

  private sealed interface Fault {}

  private record Fail(int status, String body) implements Fault {}

  private record Delay(Duration delay) implements Fault {}

  private record Drop() implements Fault {}

  private record TooLarge() implements Fault {}

  private record Answer(int status, ObjectNode body) {}

  private InngestTestServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    threads =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "inngest-test-server");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(threads);
    server.createContext("/", this::exchange);
  }

  /** Starts a server on a free port that accepts any non-empty key. */
  public static InngestTestServer start() {
    try {
      InngestTestServer started = new InngestTestServer();
      started.server.start();
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the test Event API server", e);
    }
  }

  /** The base URL to configure a forwarder with, e.g. {@code http://127.0.0.1:53121}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Accepts only this key from now on; any other gets 401 "Event key not found". */
  public InngestTestServer requireKey(String key) {
    this.requiredKey = key;
    return this;
  }

  /** Answers 413 to requests over this many bytes. Default 512 KiB. */
  public InngestTestServer maxRequestBytes(int bytes) {
    this.maxRequestBytes = bytes;
    return this;
  }

  /** Refuses events over this many bytes (400). Default 256 KiB. */
  public InngestTestServer maxEventBytes(int bytes) {
    this.maxEventBytes = bytes;
    return this;
  }

  /** The next {@code requests} requests get a 500 and no event is accepted. */
  public InngestTestServer failNext(int requests) {
    return failNext(requests, 500, "{\"error\":\"internal server error\",\"status\":500}");
  }

  /** The next {@code requests} requests get this status and body; no event is accepted. */
  public InngestTestServer failNext(int requests, int status, String body) {
    return queue(requests, new Fail(status, body));
  }

  /** The next {@code requests} requests are accepted but answered only after {@code delay}. */
  public InngestTestServer delayNext(int requests, Duration delay) {
    return queue(requests, new Delay(delay));
  }

  /** The next {@code requests} requests are accepted, then closed without an answer. */
  public InngestTestServer dropResponseToNext(int requests) {
    return queue(requests, new Drop());
  }

  /** The next {@code requests} requests get a 413, whatever their size. */
  public InngestTestServer tooLargeNext(int requests) {
    return queue(requests, new TooLarge());
  }

  /** From now on refuses every event that matches with a 400 carrying {@code error}. */
  public InngestTestServer rejectEvents(Predicate<JsonNode> which, String error) {
    this.rejection = error;
    this.rejected = which;
    return this;
  }

  /** Every request received so far, in order. */
  public synchronized List<ReceivedRequest> requests() {
    return List.copyOf(requests);
  }

  /** Every event accepted so far, duplicates included, in order of arrival. */
  public synchronized List<ReceivedEvent> events() {
    return List.copyOf(events);
  }

  /** How many accepted events triggered runs: each id once, and every event without an id. */
  public synchronized long triggeredRuns() {
    return events.stream().filter(ReceivedEvent::triggered).count();
  }

  /** How many times an event with this id was accepted. */
  public synchronized int timesReceived(String id) {
    return receivedById.getOrDefault(id, 0);
  }

  /** The distinct event ids accepted so far. */
  public synchronized Set<String> ids() {
    return Set.copyOf(receivedById.keySet());
  }

  /** Stops the server at once; delayed answers are abandoned. */
  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private synchronized InngestTestServer queue(int requests, Fault fault) {
    for (int i = 0; i < requests; i++) {
      faults.addLast(fault);
    }
    return this;
  }

  private synchronized Fault nextFault() {
    return faults.pollFirst();
  }

  private void exchange(HttpExchange exchange) throws IOException {
    try {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String key = keyOf(exchange);
      if (!"POST".equals(exchange.getRequestMethod()) || key == null) {
        respond(exchange, new Answer(404, error(404, "not found")));
        return;
      }
      answer(exchange, key, body);
    } finally {
      exchange.close();
    }
  }

  private void answer(HttpExchange exchange, String key, byte[] body) throws IOException {
    Option<String> env = header(exchange, "x-inngest-env");
    Option<String> seed = header(exchange, "x-inngest-event-id-seed");
    if (key.isEmpty() || (requiredKey != null && !requiredKey.equals(key))) {
      record(new ReceivedRequest(key, env, seed, body.length, -1, 401));
      respond(exchange, new Answer(401, error(401, "Event key not found")));
      return;
    }
    Fault fault = nextFault();
    if (fault instanceof Fail fail) {
      record(new ReceivedRequest(key, env, seed, body.length, -1, fail.status()));
      respondRaw(exchange, fail.status(), fail.body());
      return;
    }
    if (fault instanceof TooLarge || body.length > maxRequestBytes) {
      record(new ReceivedRequest(key, env, seed, body.length, -1, 413));
      respond(exchange, new Answer(413, error(413, "request body too large: " + body.length)));
      return;
    }
    List<JsonNode> sent = EventApiRules.events(json, body);
    Answer answer = accept(sent, seed.getOrNull());
    if (fault instanceof Drop) {
      record(
          new ReceivedRequest(key, env, seed, body.length, sent.size(), ReceivedRequest.DROPPED));
      return; // closing without a response drops the connection
    }
    record(new ReceivedRequest(key, env, seed, body.length, sent.size(), answer.status()));
    if (fault instanceof Delay delay && !sleep(delay.delay())) {
      return;
    }
    respond(exchange, answer);
  }

  /** Accepts the events in order up to the first bad one. */
  private Answer accept(List<JsonNode> sent, String seed) throws IOException {
    if (sent == null) {
      return new Answer(400, error(400, "body is not a JSON event or array of events"));
    }
    ArrayNode ids = json.createArrayNode();
    if (sent.size() > MAX_EVENTS) {
      return new Answer(400, error(400, "more than " + MAX_EVENTS + " events").set("ids", ids));
    }
    for (JsonNode event : sent) {
      int size = json.writeValueAsBytes(event).length;
      Option<String> problem = EventApiRules.problemWith(event, size, maxEventBytes);
      if (problem.isEmpty() && rejected.test(event)) {
        problem = Option.some(rejection);
      }
      if (problem.isDefined()) {
        return new Answer(400, error(400, problem.get()).set("ids", ids));
      }
      ids.add(store(event, EventApiRules.internalId(seed, ids.size())));
    }
    ObjectNode ok = json.createObjectNode();
    ok.set("ids", ids);
    return new Answer(200, ok.put("status", 200));
  }

  private synchronized String store(JsonNode event, String internalId) {
    Option<String> id =
        Option.of(event.get("id")).filter(JsonNode::isTextual).map(JsonNode::asText);
    boolean triggered = id.map(i -> !receivedById.containsKey(i)).getOrElse(true);
    id.forEach(i -> receivedById.merge(i, 1, Integer::sum));
    Option<Long> ts = Option.of(event.get("ts")).filter(JsonNode::isNumber).map(JsonNode::asLong);
    String name = event.get("name").asText();
    events.add(new ReceivedEvent(name, event.get("data"), id, ts, internalId, triggered));
    return internalId;
  }

  private synchronized void record(ReceivedRequest request) {
    requests.add(request);
  }

  private ObjectNode error(int status, String message) {
    return json.createObjectNode().put("error", message).put("status", status);
  }

  private void respond(HttpExchange exchange, Answer answer) throws IOException {
    respondRaw(exchange, answer.status(), json.writeValueAsString(answer.body()));
  }

  private static void respondRaw(HttpExchange exchange, int status, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  private static String keyOf(HttpExchange exchange) {
    String path = exchange.getRequestURI().getRawPath();
    if (!path.startsWith("/e/") || path.indexOf('/', 3) >= 0) {
      return null;
    }
    return URLDecoder.decode(path.substring(3), StandardCharsets.UTF_8);
  }

  private static Option<String> header(HttpExchange exchange, String name) {
    return Option.of(exchange.getRequestHeaders().getFirst(name));
  }

  private static boolean sleep(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
      return true;
    } catch (InterruptedException closing) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
