package dev.featurestore.offline;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.offline.predictions.OfflinePredictionLog;
import dev.featurestore.offline.predictions.PredictionLogOptions;
import dev.featurestore.offline.predictions.PredictionLogs;
import dev.featurestore.registry.Registry;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

/** Creates offline stores. */
public final class OfflineStores {
  private OfflineStores() {}

  /**
   * An offline store on a local warehouse directory (created if missing), with Iceberg's Hadoop catalog: each
   * view's table lives in {@code warehouseDir/features/<view>}. Several stores may share a directory.
   */
  public static OfflineStore local(Path warehouseDir) {
    return local(warehouseDir, TrainingSetOptions.defaults());
  }

  /** Like {@link #local(Path)}, building training sets with the given memory budget and spill directory. */
  public static OfflineStore local(Path warehouseDir, TrainingSetOptions trainingSetOptions) {
    Objects.requireNonNull(warehouseDir, "warehouseDir");
    Objects.requireNonNull(trainingSetOptions, "trainingSetOptions");
    return IcebergOfflineStore.onLocalWarehouse(warehouseDir.toAbsolutePath(), trainingSetOptions);
  }

  /**
   * Opens the push write-ahead log in {@code directory} (created if missing; one process at a time), which appends
   * pushed rows to the tables of {@code store}, checking them against the current definitions at each flush.
   * Before returning it replays the segments a previous process left behind (a crash, or a flush that failed) into
   * the tables, each exactly once; a segment it cannot replay now stays and is retried in the background.
   *
   * <p>The log does not own {@code store}: close the log first, then the store.
   *
   * @throws dev.featurestore.api.error.UnavailableException when the directory cannot be used or another process
   *     holds it
   */
  public static OfflinePushLog pushLog(
      Path directory, OfflineStore store, Supplier<Definitions> definitions, PushLogOptions options) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(definitions, "definitions");
    Objects.requireNonNull(options, "options");
    return WriteAheadPushLog.open(directory.toAbsolutePath(), store, definitions, options);
  }

  /**
   * Starts the prediction log of the inference endpoint on a local warehouse directory: tables
   * {@code predictions.<model>} beside the feature tables (see {@link OfflinePredictionLog}). Same as
   * {@link PredictionLogs#open}; {@link PredictionLogs#reader} reads the log back.
   */
  public static OfflinePredictionLog predictionLog(Path warehouseDir, PredictionLogOptions options) {
    return PredictionLogs.open(warehouseDir, options);
  }

  /**
   * Starts an Arrow Flight service for training sets on {@code store} (see {@link TrainingSetFlightService}), which
   * reads the current definitions of {@code registry} at each call, and for a rebuild from a manifest
   * ({@code as_of}) the definitions of the manifest's registry version. Manifests record the registry version. The
   * service owns neither: close the service first, then the store and the registry.
   *
   * @throws IllegalArgumentException when {@code store} was not made by this class
   * @throws dev.featurestore.api.error.UnavailableException when the port cannot be bound
   */
  public static TrainingSetFlightService flightService(
      OfflineStore store, Registry registry, FlightServiceOptions options) {
    Objects.requireNonNull(registry, "registry");
    return flightService(store, DefinitionVersions.of(registry), options);
  }

  /**
   * Like {@link #flightService(OfflineStore, Registry, FlightServiceOptions)} with definitions but no registry:
   * manifests record registry version 0, and only manifests of version 0 can be rebuilt.
   */
  public static TrainingSetFlightService flightService(
      OfflineStore store, Supplier<Definitions> definitions, FlightServiceOptions options) {
    Objects.requireNonNull(definitions, "definitions");
    return flightService(store, DefinitionVersions.unversioned(definitions), options);
  }

  private static TrainingSetFlightService flightService(
      OfflineStore store, DefinitionVersions definitions, FlightServiceOptions options) {
    Objects.requireNonNull(options, "options");
    if (!(store instanceof IcebergOfflineStore iceberg)) {
      throw new IllegalArgumentException("Cannot serve training sets over Flight from " + store
          + ": only offline stores made by OfflineStores can");
    }
    return FlightTrainingSetService.start(iceberg, definitions, options);
  }
}
