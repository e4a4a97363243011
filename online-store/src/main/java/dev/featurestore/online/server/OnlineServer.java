package dev.featurestore.online.server;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.PushLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.Service;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The online serving verticle: a gRPC server (HTTP/2 cleartext) on one host and port that answers the
 * {@code featurestore.v1.OnlineService} (GetOnlineFeatures, Push) plus any extra services handed in, for example
 * the registry's.
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
 * <p>Nothing blocks the event loop. The server owns neither the store nor the push log: {@link #stop()} closes the
 * HTTP server only.
 * One instance deploys once; to run several instances, deploy {@code builder::build} with
 * {@code DeploymentOptions.setInstances(n)}.
 *
 * <pre>{@code
 * OnlineServer server = OnlineServer.builder()
 *     .definitions(registry::definitions).store(store).port(6566).build();
 * vertx.deployVerticle(server).onSuccess(id -> log.info("serving on {}", server.actualPort()));
 * }</pre>
 */
public final class OnlineServer extends VerticleBase {
  private final Builder config;
  private volatile HttpServer server;

  private OnlineServer(Builder config) {
    this.config = config;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Future<?> start() {
    OnlineGrpcService online = new OnlineGrpcService(
        new FeatureReader(config.definitions, config.store, config.clock),
        new PushWriter(config.definitions, config.store, config.pushLog, config.clock));
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.addService(online);
    config.services.forEach(grpc::addService);
    HttpServerOptions options = new HttpServerOptions().setHost(config.host).setPort(config.port);
    return vertx.createHttpServer(options)
        .requestHandler(grpc)
        .listen()
        .onSuccess(listening -> server = listening);
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
    private final List<Service> services = new ArrayList<>();

    private Builder() {}

    private Builder(Builder other) {
      host = other.host;
      port = other.port;
      definitions = other.definitions;
      store = other.store;
      pushLog = other.pushLog;
      clock = other.clock;
      services.addAll(other.services);
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

    /** @throws IllegalStateException when definitions or store is missing */
    public OnlineServer build() {
      if (definitions == null || store == null) {
        throw new IllegalStateException(
            "Cannot build the online server: " + (definitions == null ? "definitions" : "store") + " is not set");
      }
      return new OnlineServer(new Builder(this));
    }
  }
}
