package dev.featurestore.deploy.server;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.offline.FlightServiceOptions;
import dev.featurestore.offline.OfflinePushLog;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.offline.OfflineStores;
import dev.featurestore.offline.PushLogOptions;
import dev.featurestore.offline.predictions.OfflinePredictionLog;
import dev.featurestore.offline.predictions.PredictionLogOptions;
import dev.featurestore.offline.predictions.PredictionLogReader;
import dev.featurestore.offline.predictions.PredictionLogs;
import dev.featurestore.offline.TrainingSetFlightService;
import dev.featurestore.offline.TrainingSetOptions;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.inference.Predictor;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.PredictionLog;
import dev.featurestore.registry.Registries;
import dev.featurestore.registry.Registry;
import java.util.function.Supplier;

/**
 * Opens each part of the feature store from the configuration. The one place that knows which implementation a
 * configuration value selects.
 */
public final class Components {
  private Components() {}

  /** The registry: the SQLite file of the data directory, or PostgreSQL (credentials from the environment). */
  public static Registry openRegistry(FeatureStoreConfig config) {
    if (config.embeddedRegistry()) {
      return Registries.embedded(config.dataDir());
    }
    return Registries.jdbc(config.registryUrl(), System.getenv("FSTORE_REGISTRY_USER"),
        System.getenv("FSTORE_REGISTRY_PASSWORD"));
  }

  public static OfflineStore openOfflineStore(FeatureStoreConfig config) {
    return OfflineStores.local(config.warehouse());
  }

  /** The offline store, building training sets with the given memory budget and spill directory. */
  public static OfflineStore openOfflineStore(FeatureStoreConfig config, TrainingSetOptions trainingSetOptions) {
    return OfflineStores.local(config.warehouse(), trainingSetOptions);
  }

  /**
   * The push write-ahead log of the server, in {@link FeatureStoreConfig#pushLogDir()}, appending to the tables of
   * {@code offline}; replays what a previous run left before returning.
   */
  public static OfflinePushLog openPushLog(
      FeatureStoreConfig config, OfflineStore offline, Supplier<Definitions> definitions) {
    return OfflineStores.pushLog(config.pushLogDir(), offline, definitions, 
        PushLogOptions.defaults().withFlushInterval(config.pushFlushInterval()));
  }

  /**
   * The Arrow Flight service for training sets on {@code offline}, on the configured host and
   * {@link FeatureStoreConfig#flightPort()}, with its uploads under {@code <dataDir>/flight-uploads}, reading the
   * definitions (current, or a manifest's version) from {@code registry}.
   */
  public static TrainingSetFlightService openFlightService(
      FeatureStoreConfig config, OfflineStore offline, Registry registry) {
    return OfflineStores.flightService(offline, registry, FlightServiceOptions.builder()
        .host(config.host())
        .port(config.flightPort())
        .uploadDirectory(config.dataDir().resolve("flight-uploads"))
        .build());
  }

  /**
   * The inference endpoint of the server: models from {@link FeatureStoreConfig#modelDir()}, features from
   * {@code store}, every answered call offered to {@code predictionLog}.
   */
  public static Predictor openPredictor(FeatureStoreConfig config, Supplier<Definitions> definitions,
      OnlineStore store, PredictionLog predictionLog) {
    return Predictor.builder()
        .definitions(definitions)
        .store(store)
        .predictionLog(predictionLog)
        .modelDirectory(config.modelDir())
        .build();
  }

  /**
   * The online store as seen from a command-line process (materialize): the same store the server uses, except
   * that the embedded default lives inside the server, so a separate process joins it as a Hazelcast client
   * instead of starting a member of its own.
   */
  public static OnlineStore openOnlineStoreFromOutside(FeatureStoreConfig config) {
    return OnlineStores.open(OnlineStores.fromOutside(config.onlineStore()));
  }

  /** The prediction log of the inference endpoint: tables {@code predictions.<model>} in the warehouse. */
  public static OfflinePredictionLog openPredictionLog(FeatureStoreConfig config, PredictionLogOptions options) {
    return PredictionLogs.open(config.warehouse(), options);
  }

  /** Reads the prediction log of the warehouse (training sets from it, experiment assignments). */
  public static PredictionLogReader openPredictionLogReader(FeatureStoreConfig config) {
    return PredictionLogs.reader(config.warehouse());
  }
}
