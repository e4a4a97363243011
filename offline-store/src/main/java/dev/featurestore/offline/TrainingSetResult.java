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
 * @param keyPasses the most times the join read one view's keys: 1 when every view's keys and times fit its share
 *     of the memory budget at once, more when a view's were read a slice of the keys at a time to fit, 0 when no
 *     view was joined in memory (no rows, or the spilling path)
 * @param manifest what the training set was built from and its content hash, also written to
 *     {@link TrainingSetRequest#manifestPath()}
 * @param manifestPath where the manifest was written
 */
public record TrainingSetResult(
    long rows, Path output, double seconds, Map<String, Long> snapshotIds, int spilledRuns, int keyPasses,
    TrainingSetManifest manifest, Path manifestPath) {
  public TrainingSetResult {
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(manifestPath, "manifestPath");
    snapshotIds = Map.copyOf(snapshotIds);
  }
}
