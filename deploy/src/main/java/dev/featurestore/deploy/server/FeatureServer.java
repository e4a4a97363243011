package dev.featurestore.deploy.server;

import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.offline.TrainingSetFlightService;
import dev.featurestore.offline.predictions.OfflinePredictionLog;
import dev.featurestore.offline.predictions.PredictionLogOptions;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.server.OnlineServer;
import dev.featurestore.online.inference.Predictor;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.PushLog;
import dev.featurestore.registry.Registry;
import dev.featurestore.registry.grpc.RegistryGrpcService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running feature store server: the registry, the online store and one Vert.x gRPC endpoint serving the
 * {@code RegistryService}, the {@code OnlineService} and the {@code InferenceService} (models from
 * {@link FeatureStoreConfig#modelDir()}). The composition root of the serving side.
 *
 * <p>With the push log on (the default), every push is made durable in the write-ahead log
 * {@link FeatureStoreConfig#pushLogDir()} before it is written online and acknowledged, and reaches the views'
 * Iceberg tables in the warehouse within the log's flush interval; {@link #start} first replays what a previous
 * run left in the log (after a crash) into the tables.
 *
 * <p>With a Flight port configured ({@link FeatureStoreConfig#flightPort()}), it also serves training sets over
 * Arrow Flight on that port, from the warehouse's Iceberg tables, on the Flight service's own worker threads.
 *
 * <p>Every prediction the inference endpoint answers is logged to the warehouse's Iceberg tables
 * {@code predictions.<model>} by the prediction log, in batches, off the request path.
 *
 * <p>{@link #start} blocks until the server listens (call it from a main thread, not an event loop);
 * {@link #close()} stops serving, then closes the predictor, the prediction log (committing what it holds), the
 * table-care schedule, the Flight service, the push log (flushing it to Iceberg), the offline store, the online
 * store and the registry, in that order.
 */
public final class FeatureServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FeatureServer.class);
  /** Registry calls (JDBC) wait here; bounded so a burst of applies queues instead of growing threads. */
  private static final int REGISTRY_WORKERS = 4;
  private static final long START_TIMEOUT_SECONDS = 60;

  private final Vertx vertx;
  private final Registry registry;
  private final OnlineStore store;
  private final OfflineStore offline;
  private final PushLog pushLog;
  private final TrainingSetFlightService flight;
  private final WorkerExecutor registryWorkers;
  private final OnlineServer server;
  private final OfflinePredictionLog predictionLog;
  private final Predictor predictor;
  /** Listens to the JVM's GC notifications until closed. */
  private final JvmGcMetrics gcMetrics;
  // set once after the server listens, read by close() on whichever thread closes it
  private volatile TableCareSchedule tableCare;

  private FeatureServer(
      Vertx vertx,
      Registry registry,
      OnlineStore store,
      OfflineStore offline,
      PushLog pushLog,
      TrainingSetFlightService flight,
      WorkerExecutor registryWorkers,
      OnlineServer server,
      OfflinePredictionLog predictionLog,
      Predictor predictor,
      JvmGcMetrics gcMetrics) {
    this.vertx = vertx;
    this.gcMetrics = gcMetrics;
    this.registry = registry;
    this.store = store;
    this.offline = offline;
    this.pushLog = pushLog;
    this.flight = flight;
    this.registryWorkers = registryWorkers;
    this.server = server;
    this.predictionLog = predictionLog;
    this.predictor = predictor;
  }

  /** Opens the configured registry and online store and serves them on the configured host and port. */
  public static FeatureServer start(FeatureStoreConfig config) {
    Registry registry = Components.openRegistry(config);
    // The Vert.x instance exists before the store, so that a Redis store runs its connections on its event loops.
    Vertx vertx = Vertx.vertx();
    OnlineStore store;
    try {
      store = OnlineStores.open(config.onlineStore(), vertx);
    } catch (RuntimeException e) {
      registry.close();
      vertx.close();
      throw e;
    }
    return start(config, registry, store, Clock.systemUTC(), vertx);
  }

  /**
   * Serves an already open registry and store; the server takes ownership of both and closes them on
   * {@link #close()}. Opens the push log (and an offline store for it) when the configuration says so.
   */
  public static FeatureServer start(FeatureStoreConfig config, Registry registry, OnlineStore store, Clock clock) {
    return start(config, registry, store, clock, Vertx.vertx());
  }

  private static FeatureServer start(
      FeatureStoreConfig config, Registry registry, OnlineStore store, Clock clock, Vertx vertx) {
    OfflineStore offline = null;
    PushLog pushLog = PushLog.onlineOnly();
    TrainingSetFlightService flight = null;
    OfflinePredictionLog predictionLog = null;
    try {
      if (config.pushLog() || config.flight() || config.tableCare().scheduled()) {
        offline = Components.openOfflineStore(config);
      }
      if (config.pushLog()) {
        pushLog = Components.openPushLog(config, offline, () -> registry.current().definitions());
      }
      if (config.flight()) {
        flight = Components.openFlightService(config, offline, registry);
      }
      predictionLog = Components.openPredictionLog(config, PredictionLogOptions.defaults());
    } catch (RuntimeException e) {
      closeAll(e, predictionLog, flight, pushLog, offline, store, registry);
      vertx.close();
      throw e;
    }
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("registry-worker", REGISTRY_WORKERS);
    Predictor predictor =
        Components.openPredictor(config, () -> registry.current().definitions(), store, predictionLog);
    OnlineServer.Builder server = OnlineServer.builder()
        .host(config.host())
        .port(config.port())
        .instances(config.serverInstances())
        .definitions(() -> registry.current().definitions())
        .store(store)
        .pushLog(pushLog)
        .clock(clock)
        .service(new RegistryGrpcService(registry, workers))
        .predictor(predictor);
    // The process's own meters beside the server's, at the same GET /metrics.
    JvmGcMetrics gcMetrics = bindProcessMetrics(server.meterRegistry());
    OnlineServer started;
    try {
      started = await(server.deploy(vertx), "start the server on " + config.host() + ":" + config.port());
    } catch (RuntimeException e) {
      new FeatureServer(vertx, registry, store, offline, pushLog, flight, workers, null, predictionLog, predictor,
          gcMetrics).close();
      throw e;
    }
    FeatureServer running = new FeatureServer(
        vertx, registry, store, offline, pushLog, flight, workers, started, predictionLog, predictor, gcMetrics);
    if (config.tableCare().scheduled()) {
      running.tableCare = TableCareSchedule.start(config.tableCare(), offline, registry);
    }
    log.info("Serving registry version {} and online store '{}' on {}:{} ({} server instances); pushes {}",
        registry.current().version(), config.onlineStore(), config.host(), started.actualPort(),
        config.serverInstances(),
        config.pushLog() ? "logged durably in '" + config.pushLogDir() + "' and appended to Iceberg" : "online-only");
    return running;
  }

  /** JVM memory, GC, threads, CPU, open files and uptime; returns the GC meters, which must be closed. */
  private static JvmGcMetrics bindProcessMetrics(MeterRegistry meters) {
    new JvmMemoryMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new FileDescriptorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(meters);
    return gc;
  }

  /** The port the gRPC endpoint listens on (the chosen one when the configured port was 0). */
  public int port() {
    return server.actualPort();
  }

  /** The port of the Arrow Flight service for training sets, or -1 when the server runs none. */
  public int flightPort() {
    return flight == null ? FeatureStoreConfig.FLIGHT_OFF : flight.port();
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
      // Stop serving first, but keep Vert.x's event loops running: the Redis store's connections live on them.
      List<Future<?>> undeploys = new ArrayList<>();
      for (String deployment : vertx.deploymentIDs()) {
        undeploys.add(vertx.undeploy(deployment));
      }
      await(Future.join(undeploys), "stop the server");
    } catch (RuntimeException e) {
      log.warn("Stopping the server failed; releasing the stores anyway", e);
    } finally {
      gcMetrics.close();
      registryWorkers.close();
      try {
        // the predictor's shadow runs still offer to the prediction log, which commits what it holds on close; the
        // push log flushes to Iceberg with the registry's definitions: close them first, the registry last
        closeAll(null, predictor, predictionLog, tableCare, flight, pushLog, offline, store, registry);
      } finally {
        try {
          await(vertx.close(), "stop Vert.x");
        } catch (RuntimeException e) {
          log.warn("Stopping Vert.x failed", e);
        }
      }
    }
  }

  /** Closes each in order, even when one fails; rethrows the first failure unless {@code pending} is set. */
  private static void closeAll(RuntimeException pending, AutoCloseable... resources) {
    RuntimeException failure = pending;
    for (AutoCloseable resource : resources) {
      if (resource == null) {
        continue;
      }
      try {
        resource.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e instanceof RuntimeException runtime ? runtime
              : new UnavailableException("Cannot close " + resource + ": " + e.getMessage(), e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null && pending == null) {
      throw failure;
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
