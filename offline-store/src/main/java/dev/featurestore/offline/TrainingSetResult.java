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
 */
public record TrainingSetResult(long rows, Path output, double seconds, Map<String, Long> snapshotIds) {
  public TrainingSetResult {
    Objects.requireNonNull(output, "output");
    snapshotIds = Map.copyOf(snapshotIds);
  }
}
