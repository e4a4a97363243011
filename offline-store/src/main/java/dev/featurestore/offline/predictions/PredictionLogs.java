package dev.featurestore.offline.predictions;

import dev.featurestore.api.error.UnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.hadoop.HadoopCatalog;

/**
 * Opens the prediction log of a local warehouse directory (tables {@code predictions.<model>} beside the feature
 * tables), for writing ({@link #open}) or reading ({@link #reader}).
 */
public final class PredictionLogs {
  private PredictionLogs() {}

  /**
   * Starts a prediction log writing to {@code warehouse} (created if missing). Several logs, readers and offline
   * stores may share the directory; Iceberg's optimistic commits keep their commits apart.
   *
   * @throws UnavailableException when the directory cannot be created
   */
  public static OfflinePredictionLog open(Path warehouse, PredictionLogOptions options) {
    Objects.requireNonNull(options, "options");
    return new IcebergPredictionLog(catalog(warehouse), options);
  }

  /** Reads the prediction log of {@code warehouse}: training sets and experiment assignments. */
  public static PredictionLogReader reader(Path warehouse) {
    return new IcebergPredictionLogReader(catalog(warehouse));
  }

  private static HadoopCatalog catalog(Path warehouse) {
    Objects.requireNonNull(warehouse, "warehouse");
    Path dir = warehouse.toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UnavailableException("Cannot open the prediction log at '" + dir + "': " + e.getMessage(), e);
    }
    return new HadoopCatalog(new Configuration(), dir.toUri().toString());
  }
}
