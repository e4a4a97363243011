package dev.featurestore.offline;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What one training-set export produced.
 *
 * @param rows rows written: exactly the entity rows, in input order
 * @param output the Parquet file written
 * @param seconds wall-clock duration
 * @param snapshotIds the Iceberg snapshot read for each selected view, by view name; a view whose table does not
 *     exist yet (nothing ingested) is absent and all its features are null
 * @param spilledRuns how many sorted runs the join wrote to its spill directory: 0 when everything fit the memory
 *     budget ({@link TrainingSetOptions})
 * @param manifest what the training set was built from and its content hash, also written to
 *     {@link TrainingSetRequest#manifestPath()}
 * @param manifestPath where the manifest was written
 */
public record TrainingSetResult(
    long rows, Path output, double seconds, Map<String, Long> snapshotIds, int spilledRuns,
    TrainingSetManifest manifest, Path manifestPath) {
  public TrainingSetResult {
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(manifestPath, "manifestPath");
    snapshotIds = Map.copyOf(snapshotIds);
  }
}
