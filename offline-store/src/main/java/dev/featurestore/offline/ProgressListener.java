package dev.featurestore.offline;

/**
 * Receives the progress of a long offline operation, in the unit the operation names (rows for ingestion and
 * training sets, keys for materialization). Called on the thread that runs the operation, so it must be cheap and
 * must not block; {@code total} may grow while the operation learns more.
 */
@FunctionalInterface
public interface ProgressListener {

  /** A listener that ignores every report. */
  ProgressListener NONE = (done, total) -> {};

  /**
   * @param done units finished so far
   * @param total units the operation expects in all
   */
  void onProgress(long done, long total);
}
