package dev.outbox.forward;

import dev.outbox.OutboxException;
import dev.outbox.job.JobCodec;
import io.vavr.control.Option;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

/**
 * The checked, immutable settings of a forwarder, made once from its builder.
 *
 * @param baseUrl the base URL without a trailing slash
 * @param key the event key
 * @param env the branch environment, if any
 */
record ForwarderSettings<J>(
    String baseUrl,
    EventKey key,
    Option<String> env,
    int maxRequestBytes,
    int maxEventBytes,
    int maxEventsPerRequest,
    Duration requestTimeout,
    Duration misconfigurationPause,
    HttpClient http,
    EventEncoder<J> encoder) {

  /** The endpoint as it may be logged: {@code {base}/e/****}. */
  String loggedEndpoint() {
    return baseUrl + "/e/" + EventKey.MASK;
  }

  /** The endpoint with the key: for the request only. */
  URI endpoint() {
    return URI.create(baseUrl + "/e/" + key.pathSegment());
  }

  static <J> ForwarderSettings<J> checked(InngestForwarderBuilder<J> b) {
    String base = checkedBaseUrl(b.baseUrl != null ? b.baseUrl : defaultBaseUrl(b.dev));
    EventKey key = checkedKey(b);
    check(
        b.env == null || isHeaderValue(b.env),
        "env must be a non-blank header value, was '" + b.env + "'");
    checkLimits(b);
    checkDurations(b);
    checkNames(b);
    HttpClient http = b.httpClient != null ? b.httpClient : defaultClient(b.connectTimeout);
    var mapper = b.mapper != null ? b.mapper : JobCodec.defaultMapper();
    var encoder =
        new EventEncoder<>(
            b.codec, mapper, b.namePrefix, b.nameByKind, b.dataByKind, maxEventBytes(b));
    return new ForwarderSettings<>(
        base,
        key,
        Option.of(b.env),
        b.maxRequestBytes,
        maxEventBytes(b),
        b.maxEventsPerRequest,
        b.requestTimeout,
        b.misconfigurationPause,
        http,
        encoder);
  }

  /** The key as set, or any key in dev mode. Messages never show its value. */
  private static EventKey checkedKey(InngestForwarderBuilder<?> b) {
    String key =
        b.eventKey != null ? b.eventKey : (b.dev ? InngestForwarderBuilder.DEV_EVENT_KEY : null);
    check(
        key != null,
        "eventKey is not set: call eventKey(...) or set INNGEST_EVENT_KEY"
            + " (with INNGEST_DEV=1, for the local dev server, any key works)");
    check(
        !key.isBlank() && key.strip().equals(key) && key.chars().noneMatch(Character::isISOControl),
        "eventKey must be non-blank, without surrounding spaces or control characters"
            + " (value not shown: it is a secret)");
    return new EventKey(key);
  }

  private static void checkDurations(InngestForwarderBuilder<?> b) {
    check(isPositive(b.requestTimeout), "requestTimeout must be positive, was " + b.requestTimeout);
    check(isPositive(b.connectTimeout), "connectTimeout must be positive, was " + b.connectTimeout);
    check(
        isPositive(b.misconfigurationPause),
        "misconfigurationPause must be positive, was " + b.misconfigurationPause);
  }

  private static void checkLimits(InngestForwarderBuilder<?> b) {
    int minRequest = InngestForwarderBuilder.MIN_REQUEST_BYTES;
    int maxRequest = InngestForwarderBuilder.MAX_REQUEST_BYTES;
    check(
        b.maxRequestBytes >= minRequest && b.maxRequestBytes <= maxRequest,
        "maxRequestBytes must be between "
            + minRequest
            + " and "
            + maxRequest
            + ", was "
            + b.maxRequestBytes);
    int maxEventBytes = maxEventBytes(b);
    check(
        maxEventBytes >= 1 && maxEventBytes <= b.maxRequestBytes - 2,
        "maxEventBytes must be between 1 and maxRequestBytes - 2 ("
            + (b.maxRequestBytes - 2)
            + ": an event must fit in a request), was "
            + maxEventBytes);
    int maxEvents = InngestForwarderBuilder.MAX_EVENTS_PER_REQUEST;
    check(
        b.maxEventsPerRequest >= 1 && b.maxEventsPerRequest <= maxEvents,
        "maxEventsPerRequest must be between 1 and "
            + maxEvents
            + ", was "
            + b.maxEventsPerRequest);
  }

  /** As set, or else the default bounded by the request limit. */
  private static int maxEventBytes(InngestForwarderBuilder<?> b) {
    if (b.maxEventBytes != null) {
      return b.maxEventBytes;
    }
    return Math.min(InngestForwarderBuilder.DEFAULT_MAX_EVENT_BYTES, b.maxRequestBytes - 2);
  }

  private static void checkNames(InngestForwarderBuilder<?> b) {
    check(
        !b.namePrefix.startsWith(EventNames.RESERVED_PREFIX),
        "namePrefix must not start with '"
            + EventNames.RESERVED_PREFIX
            + "' (reserved by Inngest), was '"
            + b.namePrefix
            + "'");
    check(
        b.namePrefix.length() <= 100,
        "namePrefix must have at most 100 characters, was '" + b.namePrefix + "'");
    for (Map.Entry<String, String> mapped : b.nameByKind.entrySet()) {
      EventNames.problemWith(mapped.getValue())
          .forEach(
              problem ->
                  check(
                      false,
                      "eventName for kind '" + mapped.getKey() + "' is invalid: " + problem));
    }
  }

  private static String defaultBaseUrl(boolean dev) {
    return dev ? InngestForwarderBuilder.DEV_BASE_URL : InngestForwarderBuilder.CLOUD_BASE_URL;
  }

  private static String checkedBaseUrl(String raw) {
    String base = raw.strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    String problem =
        "baseUrl must be an http or https URL without query or fragment, such as "
            + InngestForwarderBuilder.CLOUD_BASE_URL
            + ", was '"
            + raw
            + "'";
    try {
      URI uri = new URI(base);
      boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      check(
          web && uri.getHost() != null && uri.getQuery() == null && uri.getFragment() == null,
          problem);
    } catch (URISyntaxException e) {
      throw new OutboxException.Misconfigured(problem, e);
    }
    return base;
  }

  private static boolean isHeaderValue(String value) {
    return !value.isBlank() && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
  }

  private static boolean isPositive(Duration duration) {
    return !duration.isNegative() && !duration.isZero();
  }

  private static HttpClient defaultClient(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new OutboxException.Misconfigured(message);
    }
  }
}
