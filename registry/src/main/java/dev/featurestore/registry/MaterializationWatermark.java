package dev.featurestore.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * How far incremental materialization has moved a view's offline table to the online tier: every row committed in
 * the table's snapshot {@code snapshotId} and before it is online. Immutable.
 *
 * @param viewName the feature view
 * @param snapshotId the Iceberg snapshot id of the view's table that the last successful run read up to
 * @param updatedAt when that run stored it
 */
public record MaterializationWatermark(String viewName, long snapshotId, Instant updatedAt) {
  public MaterializationWatermark {
    Objects.requireNonNull(viewName, "viewName");
    Objects.requireNonNull(updatedAt, "updatedAt");
    if (viewName.isBlank()) {
      throw new IllegalArgumentException("Cannot make a materialization watermark: the view name is blank");
    }
  }
}
