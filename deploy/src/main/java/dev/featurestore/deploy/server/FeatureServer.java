package dev.featurestore.deploy.server;

import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.server.OnlineServer;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.registry.Registry;
import dev.featurestore.registry.grpc.RegistryGrpcService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running feature store server: the registry, the online store and one Vert.x gRPC endpoint serving both the
 * {@code RegistryService} and the {@code OnlineService}. The composition root of the serving side.
 *
 * <p>{@link #start} blocks until the server listens (call it from a main thread, not an event loop);
 * {@link #close()} stops serving, then releases the online store and the registry, in that order.
 */
public final class FeatureServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FeatureServer.class);
  /** Registry calls (JDBC) wait here; bounded so a burst of applies queues instead of growing threads. */
  private static final int REGISTRY_WORKERS = 4;
  private static final long START_TIMEOUT_SECONDS = 60;

  private final Vertx vertx;
  private final Registry registry;
  private final OnlineStore store;
  private final WorkerExecutor registryWorkers;
  private final OnlineServer server;

  private FeatureServer(
      Vertx vertx, Registry registry, OnlineStore store, WorkerExecutor registryWorkers, OnlineServer server) {
    this.vertx = vertx;
    this.registry = registry;
    this.store = store;
    this.registryWorkers = registryWorkers;
    this.server = server;
  }

  /** Opens the configured registry and online store and serves them on the configured host and port. */
  public static FeatureServer start(FeatureStoreConfig config) {
    Registry registry = Components.openRegistry(config);
    OnlineStore store;
    try {
      store = OnlineStores.open(config.onlineStore());
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    return start(config, registry, store, Clock.systemUTC());
  }

  /**
   * Serves an already open registry and store; the server takes ownership of both and closes them on
   * {@link #close()}.
   */
  public static FeatureServer start(FeatureStoreConfig config, Registry registry, OnlineStore store, Clock clock) {
    Vertx vertx = Vertx.vertx();
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("registry-worker", REGISTRY_WORKERS);
    OnlineServer server = OnlineServer.builder()
        .host(config.host())
        .port(config.port())
        .definitions(() -> registry.current().definitions())
        .store(store)
        .clock(clock)
        .service(new RegistryGrpcService(registry, workers))
        .build();
    FeatureServer running = new FeatureServer(vertx, registry, store, workers, server);
    try {
      await(vertx.deployVerticle(server), "start the server on " + config.host() + ":" + config.port());
    } catch (RuntimeException e) {
      running.close();
      throw e;
    }
    log.info("Serving registry version {} and online store '{}' on {}:{}", registry.current().version(),
        config.onlineStore(), config.host(), server.actualPort());
    return running;
  }

  /** The port the gRPC endpoint listens on (the chosen one when the configured port was 0). */
  public int port() {
    return server.actualPort();
  }

  public Registry registry() {
    return registry;
  }

  public OnlineStore onlineStore() {
    return store;
  }

  @Override
  public void close() {
    try {
      await(vertx.close(), "stop the server");
    } catch (RuntimeException e) {
      log.warn("Stopping the server failed; releasing the stores anyway", e);
    } finally {
      registryWorkers.close();
      try {
        store.close();
      } finally {
        registry.close();
      }
    }
  }

  private static <T> T await(Future<T> future, String action) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("Cannot " + action + ": interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new UnavailableException("Cannot " + action + ": " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new UnavailableException("Cannot " + action + ": no answer within " + START_TIMEOUT_SECONDS + " s", e);
    }
  }
}
