package dev.featurestore.sdk;

import java.util.Objects;

/**
 * What {@link TrainingSetClient#fetch} received besides the batches.
 *
 * @param rows the number of rows: the number of entity rows
 * @param manifest the training set's manifest as JSON, as the server sent it after the last batch: the request, the
 *     entity file's sha256, the Iceberg snapshot of every view read, the registry version, the row count and the
 *     content hash (README, "Reproducible training sets"); {@link TrainingSetQuery#asOf} builds the same set again
 */
public record FetchedTrainingSet(long rows, String manifest) {
  public FetchedTrainingSet {
    Objects.requireNonNull(manifest, "manifest");
  }
}
