package dev.outbox.forward;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.OutboxException;
import dev.outbox.job.JobCodec;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Settings of an {@link InngestForwarder}, from code, from the environment, or both (later calls
 * win). Checked once in {@link #build()}, which names a bad setting and its value (never the event
 * key's). Not thread-safe; the forwarder it builds is.
 *
 * <p>Defaults: base URL {@value #CLOUD_BASE_URL} ({@value #DEV_BASE_URL} in dev mode), no
 * environment header, no name prefix, {@link #DEFAULT_MAX_REQUEST_BYTES} (512 KiB) per request,
 * {@link #DEFAULT_MAX_EVENT_BYTES} (256 KiB) per event, {@value #DEFAULT_MAX_EVENTS_PER_REQUEST}
 * events per request, a 10 second request timeout, a 5 second connect timeout, a 1 minute pause
 * after the API refuses the key.
 *
 * @param <J> the sealed job root
 */
public final class InngestForwarderBuilder<J> {
  /** The Event API of Inngest Cloud. */
  public static final String CLOUD_BASE_URL = "https://inn.gs";

  /** The local Inngest dev server ({@code npx inngest-cli@latest dev}). */
  public static final String DEV_BASE_URL = "http://localhost:8288";

  /** The most bytes in one request body: 512 KiB, Inngest's default request limit. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 512 * 1024;

  /** The most bytes in one event: 256 KiB, Inngest's free-plan limit (paid plans: up to 3 MiB). */
  public static final int DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

  /** The most events in one request: {@value}, Inngest's limit (and the highest allowed). */
  public static final int DEFAULT_MAX_EVENTS_PER_REQUEST = 5000;

  /** How long one request may take before it counts as failed: 10 seconds. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** How long connecting may take: 5 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** How long forwarding pauses after a 401, 403 or 404: 1 minute. */
  public static final Duration DEFAULT_MISCONFIGURATION_PAUSE = Duration.ofMinutes(1);

  static final int MAX_EVENTS_PER_REQUEST = 5000;
  static final int MAX_REQUEST_BYTES = 64 * 1024 * 1024;
  static final int MIN_REQUEST_BYTES = 1024;
  static final String DEV_EVENT_KEY = "local-dev";

  final JobCodec<J> codec;
  String baseUrl;
  String eventKey;
  String env;
  boolean dev;
  String namePrefix = "";
  int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
  Integer maxEventBytes;
  int maxEventsPerRequest = DEFAULT_MAX_EVENTS_PER_REQUEST;
  Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  Duration misconfigurationPause = DEFAULT_MISCONFIGURATION_PAUSE;
  HttpClient httpClient;
  ObjectMapper mapper;
  final Map<String, String> nameByKind = new LinkedHashMap<>();
  final Map<String, Function<Object, ?>> dataByKind = new LinkedHashMap<>();

  InngestForwarderBuilder(JobCodec<J> codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  /** Reads {@link #fromEnvironment(Map)} from the process environment. */
  public InngestForwarderBuilder<J> fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * Applies the variables present (and not blank) in {@code environment}:
   *
   * <ul>
   *   <li>{@code INNGEST_DEV}: {@code 1}/{@code true}/{@code yes} for dev mode ({@value
   *       #DEV_BASE_URL}, any key), {@code 0}/{@code false}/{@code no} for cloud mode, or the dev
   *       server's URL (dev mode there);
   *   <li>{@code INNGEST_EVENT_API_BASE_URL}, else {@code INNGEST_BASE_URL}: the base URL;
   *   <li>{@code INNGEST_EVENT_KEY}: the event key;
   *   <li>{@code INNGEST_ENV}: the environment branch, sent as {@code x-inngest-env}.
   * </ul>
   *
   * @throws OutboxException.Misconfigured if {@code INNGEST_DEV} has none of those forms
   */
  public InngestForwarderBuilder<J> fromEnvironment(Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    String devSetting = variable(environment, "INNGEST_DEV");
    if (devSetting != null) {
      applyDev(devSetting);
    }
    String base = variable(environment, "INNGEST_EVENT_API_BASE_URL");
    base = base != null ? base : variable(environment, "INNGEST_BASE_URL");
    if (base != null) {
      baseUrl(base);
    }
    String key = variable(environment, "INNGEST_EVENT_KEY");
    if (key != null) {
      eventKey(key);
    }
    String branch = variable(environment, "INNGEST_ENV");
    if (branch != null) {
      env(branch);
    }
    return this;
  }

  /** The Event API's base URL; the forwarder posts to {@code {baseUrl}/e/{eventKey}}. */
  public InngestForwarderBuilder<J> baseUrl(String baseUrl) {
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    return this;
  }

  /** The event key (a secret: never logged, never in a message). Any key works in dev mode. */
  public InngestForwarderBuilder<J> eventKey(String eventKey) {
    this.eventKey = Objects.requireNonNull(eventKey, "eventKey");
    return this;
  }

  /** The branch environment, sent as header {@code x-inngest-env}. Default: none. */
  public InngestForwarderBuilder<J> env(String env) {
    this.env = Objects.requireNonNull(env, "env");
    return this;
  }

  /** Dev mode: base URL {@value #DEV_BASE_URL} unless one is set, and no event key needed. */
  public InngestForwarderBuilder<J> dev(boolean dev) {
    this.dev = dev;
    return this;
  }

  /**
   * Prepended to the default name of every kind that holds no {@code /}, e.g. {@code shop/} turns
   * kind {@code SendWelcomeEmail} into {@code shop/send-welcome-email}. Default: none.
   */
  public InngestForwarderBuilder<J> namePrefix(String namePrefix) {
    this.namePrefix = Objects.requireNonNull(namePrefix, "namePrefix");
    return this;
  }

  /** Sends jobs of this type under {@code name} as it is (no prefix). */
  public InngestForwarderBuilder<J> eventName(Class<? extends J> type, String name) {
    nameByKind.put(kindOf(type), Objects.requireNonNull(name, "name"));
    return this;
  }

  /**
   * Sends {@code data.apply(job)} as the data of this type's events instead of the job itself. The
   * result is written with the {@link #objectMapper(ObjectMapper) mapper} and must be a JSON object
   * (a record, a bean, a map); anything else is dead-lettered as rejected by the destination.
   */
  @SuppressWarnings("unchecked")
  public <L extends J> InngestForwarderBuilder<J> eventData(
      Class<L> type, Function<? super L, ?> data) {
    Objects.requireNonNull(data, "data");
    dataByKind.put(kindOf(type), job -> data.apply((L) job));
    return this;
  }

  /** Writes the data of {@link #eventData} mappings. Default {@link JobCodec#defaultMapper()}. */
  public InngestForwarderBuilder<J> objectMapper(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper").copy();
    return this;
  }

  /** The most bytes in one request, 1 KiB to 64 MiB. Default 512 KiB. */
  public InngestForwarderBuilder<J> maxRequestBytes(int maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
    return this;
  }

  /**
   * The most bytes in one event; larger events are dead-lettered unsent. At most {@code
   * maxRequestBytes - 2}. Default 256 KiB, or {@code maxRequestBytes - 2} if that is less.
   */
  public InngestForwarderBuilder<J> maxEventBytes(int maxEventBytes) {
    this.maxEventBytes = maxEventBytes;
    return this;
  }

  /**
   * The most events in one request, 1 to 5000. Default {@value #DEFAULT_MAX_EVENTS_PER_REQUEST}.
   */
  public InngestForwarderBuilder<J> maxEventsPerRequest(int maxEventsPerRequest) {
    this.maxEventsPerRequest = maxEventsPerRequest;
    return this;
  }

  /** How long one request may take before its events are retried later. Default 10 seconds. */
  public InngestForwarderBuilder<J> requestTimeout(Duration requestTimeout) {
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    return this;
  }

  /** How long connecting may take. Default 5 seconds. Ignored with {@link #httpClient}. */
  public InngestForwarderBuilder<J> connectTimeout(Duration connectTimeout) {
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    return this;
  }

  /**
   * How long jobs wait, without using an attempt, after the API refused the key, base URL or
   * environment (401, 403, 404); no request is made meanwhile. Default 1 minute.
   */
  public InngestForwarderBuilder<J> misconfigurationPause(Duration pause) {
    this.misconfigurationPause = Objects.requireNonNull(pause, "pause");
    return this;
  }

  /** The HTTP client to use (proxy, TLS settings). Default: one built with the connect timeout. */
  public InngestForwarderBuilder<J> httpClient(HttpClient httpClient) {
    this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
    return this;
  }

  /**
   * Checks every setting and builds the forwarder.
   *
   * @throws OutboxException.Misconfigured naming the bad setting and its value
   */
  public InngestForwarder<J> build() {
    return new InngestForwarder<>(ForwarderSettings.checked(this));
  }

  /** Settings only, for log lines; the event key is masked. */
  @Override
  public String toString() {
    return "InngestForwarderBuilder[baseUrl="
        + baseUrl
        + ", eventKey="
        + (eventKey == null ? "unset" : EventKey.MASK)
        + ", env="
        + env
        + ", dev="
        + dev
        + "]";
  }

  private void applyDev(String setting) {
    String value = setting.toLowerCase(Locale.ROOT);
    if (value.equals("1") || value.equals("true") || value.equals("yes")) {
      dev = true;
    } else if (value.equals("0") || value.equals("false") || value.equals("no")) {
      dev = false;
    } else if (value.startsWith("http://") || value.startsWith("https://")) {
      dev = true;
      baseUrl = setting;
    } else {
      throw new OutboxException.Misconfigured(
          "INNGEST_DEV must be 1, true, 0, false or the dev server's URL, was '" + setting + "'");
    }
  }

  private String kindOf(Class<? extends J> type) {
    Objects.requireNonNull(type, "type");
    return codec
        .kindOf(type)
        .getOrElseThrow(
            () ->
                new OutboxException.Misconfigured(
                    type.getName() + " is not a leaf of " + codec.root().getName()));
  }

  private static String variable(Map<String, String> environment, String name) {
    String value = environment.get(name);
    return value == null || value.isBlank() ? null : value.strip();
  }
}
