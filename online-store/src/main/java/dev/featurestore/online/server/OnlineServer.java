package dev.featurestore.online.server;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.online.inference.Predictor;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.PushLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.Service;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The online serving verticle: a gRPC server (HTTP/2 cleartext) on one host and port that answers the
 * {@code featurestore.v1.OnlineService} (GetOnlineFeatures, Push) plus any extra services handed in, for example
 * the registry's, and the same two calls as HTTP/JSON on the same port.
 *
 * <p>GetOnlineFeatures resolves the request against the current {@link Definitions} of the supplier (read once per
 * call), reads each selected view once for all entity rows, the views concurrently, and classifies each value as
 * PRESENT, NOT_FOUND, OUTSIDE_MAX_AGE (event timestamp older than now minus the view's TTL, by the clock) or
 * NULL_VALUE. Push validates the whole request before writing any row, appends it to the {@link PushLog} and, once
 * it is durable there, writes it online; it answers only when both are done (with the default
 * {@link PushLog#onlineOnly()} pushes are online-only). Failures become gRPC statuses through
 * {@link dev.featurestore.api.error.GrpcErrors}: unknown names NOT_FOUND, malformed input INVALID_ARGUMENT, store
 * failures UNAVAILABLE, each message naming the offending value.
 *
 * <p>The same port answers HTTP/JSON (HTTP/1.1 or HTTP/2) for clients that cannot speak gRPC: a request whose
 * content type is {@code application/grpc*} goes to gRPC, any other to these endpoints, which convert the JSON into
 * the proto request, call the very same service and convert its answer, so semantics and messages are identical:
 *
 * <ul>
 *   <li>{@code POST /v1/online-features} with {@code {"features": ["view:feature", "view:*"]}} or
 *       {@code {"feature_service": "name"}}, plus {@code "entities": [{"user_id": 42, "merchant_id": 7}, ...]} and
 *       optionally {@code "full_feature_names": true}; answers {@code {"feature_names": [...], "feature_refs":
 *       [...], "results": [{"values": [...], "statuses": ["PRESENT", ...], "event_timestamps": [...]}]}} with
 *       values as natural JSON (BYTES base64, TIMESTAMP epoch microseconds, null where there is no value) and
 *       event timestamps in UTC microseconds, null when NOT_FOUND;
 *   <li>{@code POST /v1/push} with {@code {"feature_view": "v", "rows": [{"keys": {...}, "features": {...},
 *       "event_timestamp": micros or ISO-8601, "created_timestamp": optional}]}}; answers
 *       {@code {"rows_written": n}};
 *   <li>{@code GET /health}: {@code {"status": "UP"}} while the server listens;
 *   <li>{@code GET /metrics}: the server's meters in the Prometheus text format (see {@link Builder#meterRegistry()}).
 * </ul>
 *
 * JSON values are typed by the declared types of the keys and features (an integer for INT32, INT64 or TIMESTAMP,
 * any number for FLOAT or DOUBLE, a string for STRING, base64 BYTES or an ISO-8601 TIMESTAMP, arrays for lists).
 * Failures answer {@code {"error": {"code": "NOT_FOUND", "message": "..."}}} with HTTP 400 (INVALID_ARGUMENT),
 * 404 (NOT_FOUND), 409 (FAILED_PRECONDITION), 503 (UNAVAILABLE) or 500; a body that is no JSON object 400, over
 * 16 MiB 413, not application/json 415, an unknown path 404, a wrong method 405.
 *
 * <p>With a {@link Builder#predictor predictor}, the same port also answers the {@code featurestore.v1.InferenceService}
 * over gRPC and {@code POST /v1/predict} as HTTP/JSON (see {@link Predictor}).
 *
 * <p>Nothing blocks the event loop. The server owns neither the store, the push log nor the predictor:
 * {@link #stop()} closes the HTTP server only.
 * One verticle serves on one event loop. {@link Builder#deploy} deploys {@link Builder#instances} of them (default:
 * one per core), sharing the port (Vert.x hands each new connection to the next instance), so requests are served
 * on several event loops; each instance has its own reader and writer, the store, the predictor and the extra
 * services are shared and must be thread-safe.
 *
 * <pre>{@code
 * OnlineServer.builder().definitions(registry::definitions).store(store).port(6566).deploy(vertx)
 *     .onSuccess(server -> log.info("serving on {}", server.actualPort()));
 * }</pre>
 */
public final class OnlineServer extends VerticleBase {
  /** Port 0 with several instances listens on one shared random port: Vert.x shares one per negative number. */
  private static final AtomicInteger SHARED_RANDOM_PORTS = new AtomicInteger();

  private final Builder config;
  private final int listenPort;
  private volatile HttpServer server;

  private OnlineServer(Builder config, int listenPort) {
    this.config = config;
    this.listenPort = listenPort;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Future<?> start() {
    // The instances share the registry, so each meter counts the calls of all of them.
    ServingMetrics metrics = new ServingMetrics(config.meterRegistry);
    OnlineGrpcService online = new OnlineGrpcService(
        new FeatureReader(config.definitions, config.store, config.clock, metrics),
        new PushWriter(config.definitions, config.store, config.pushLog, config.clock, metrics),
        metrics);
    GrpcServer grpc = GrpcServer.server(vertx);
    online.bind(grpc);
    config.services.forEach(grpc::addService);
    Router http = OnlineHttpApi.router(vertx, online, config.definitions, metrics, config.meterRegistry);
    if (config.predictor != null) {
      OnlineGrpcService.bindPredict(grpc, config.predictor::predict, metrics);
      OnlineHttpApi.addPredict(http, config.definitions, config.predictor::predict, metrics);
    }
    HttpServerOptions options = new HttpServerOptions().setHost(config.host).setPort(listenPort);
    return vertx.createHttpServer(options)
        .requestHandler(request -> {
          if (isGrpc(request)) {
            grpc.handle(request);
          } else {
            http.handle(request);
          }
        })
        .listen()
        .onSuccess(listening -> server = listening);
  }

  /** gRPC, gRPC-Web and gRPC with JSON payloads all announce themselves with an application/grpc content type. */
  private static boolean isGrpc(HttpServerRequest request) {
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    return type != null && type.regionMatches(true, 0, "application/grpc", 0, "application/grpc".length());
  }

  @Override
  public Future<?> stop() {
    HttpServer listening = server;
    return listening == null ? Future.succeededFuture() : listening.close();
  }

  /**
   * The port the server listens on once started (the chosen one when the configured port is 0).
   *
   * @throws IllegalStateException before the verticle started
   */
  public int actualPort() {
    HttpServer listening = server;
    if (listening == null) {
      throw new IllegalStateException("Cannot tell the port of the online server: it is not started");
    }
    return listening.actualPort();
  }

  /**
   * Configures an {@link OnlineServer}; {@link #definitions} and {@link #store} are required. Not thread-safe;
   * {@link #build()} copies the configuration, so one builder can build several servers.
   */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 6566;
    private Supplier<Definitions> definitions;
    private OnlineStore store;
    private PushLog pushLog = PushLog.onlineOnly();
    private Clock clock = Clock.systemUTC();
    private int instances = Runtime.getRuntime().availableProcessors();
    private final List<Service> services = new ArrayList<>();
    private Predictor predictor;
    private MeterRegistry meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private Builder() {}

    private Builder(Builder other) {
      host = other.host;
      port = other.port;
      instances = other.instances;
      definitions = other.definitions;
      store = other.store;
      pushLog = other.pushLog;
      clock = other.clock;
      services.addAll(other.services);
      predictor = other.predictor;
      meterRegistry = other.meterRegistry;
    }

    /** Interface to bind; default {@code 0.0.0.0}. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Port to listen on, 0 for any free port (see {@link OnlineServer#actualPort()}); default 6566. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("Cannot use port " + port + ": expected 0-65535");
      }
      this.port = port;
      return this;
    }

    /** The current definitions; called once per request, so it must be cheap and thread-safe. */
    public Builder definitions(Supplier<Definitions> definitions) {
      this.definitions = Objects.requireNonNull(definitions, "definitions");
      return this;
    }

    /** Where rows are read and pushed; not closed by the server. */
    public Builder store(OnlineStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Where pushed rows are made durable before they are written online and acknowledged; not closed by the server.
     * Default {@link PushLog#onlineOnly()}: pushes are online-only and never reach the offline tier.
     */
    public Builder pushLog(PushLog pushLog) {
      this.pushLog = Objects.requireNonNull(pushLog, "pushLog");
      return this;
    }

    /** The clock of TTL checks and of pushed rows without a created timestamp; default the UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** An extra gRPC service to serve on the same port (for example the registry's). */
    public Builder service(Service service) {
      services.add(Objects.requireNonNull(service, "service"));
      return this;
    }

    /**
     * How many verticles {@link #deploy} starts on the port, each on its own event loop; default the number of
     * cores.
     */
    public Builder instances(int instances) {
      if (instances < 1) {
        throw new IllegalArgumentException("Cannot deploy " + instances + " server instances: expected 1 or more");
      }
      this.instances = instances;
      return this;
    }

    /**
     * Serves the predictor's {@code InferenceService} over gRPC and {@code POST /v1/predict} over HTTP/JSON on the
     * same port; not closed by the server. Default: no inference endpoint.
     */
    public Builder predictor(Predictor predictor) {
      this.predictor = Objects.requireNonNull(predictor, "predictor");
      return this;
    }

    /**
     * Where the server's meters go ({@link #meterRegistry()} lists them); {@code GET /metrics} shows them in the
     * Prometheus text format when it is a {@link PrometheusMeterRegistry}. Default: a Prometheus registry of this
     * builder's own, shared by the servers it builds and deploys.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * The registry the servers record into: {@code fstore_online_requests_seconds} (each call's server time, by
     * {@code call}, {@code protocol} and {@code status}), {@code fstore_online_read_phase_seconds} (store and
     * encode phases of GetOnlineFeatures), {@code fstore_online_entity_rows} and
     * {@code fstore_online_pushed_rows_total} (by {@code view}).
     */
    public MeterRegistry meterRegistry() {
      return meterRegistry;
    }

    /**
     * One server verticle, to deploy once (see {@link #deploy} for several).
     *
     * @throws IllegalStateException when definitions or store is missing
     */
    public OnlineServer build() {
      check();
      return new OnlineServer(new Builder(this), port);
    }

    /**
     * Deploys {@link #instances} server verticles sharing the port (with port 0, one random port shared by them);
     * completes with one of them, for {@link OnlineServer#actualPort()}, once all listen. Undeploying, or closing
     * {@code vertx}, stops them.
     *
     * @throws IllegalStateException when definitions or store is missing
     */
    public Future<OnlineServer> deploy(Vertx vertx) {
      check();
      Builder config = new Builder(this);
      int listenPort = port == 0 && instances > 1 ? SHARED_RANDOM_PORTS.decrementAndGet() : port;
      List<OnlineServer> started = new CopyOnWriteArrayList<>();
      return vertx.deployVerticle(() -> {
        OnlineServer server = new OnlineServer(config, listenPort);
        started.add(server);
        return server;
      }, new DeploymentOptions().setInstances(config.instances)).map(id -> started.get(0));
    }

    private void check() {
      if (definitions == null || store == null) {
        throw new IllegalStateException(
            "Cannot build the online server: " + (definitions == null ? "definitions" : "store") + " is not set");
      }
    }
  }
}
