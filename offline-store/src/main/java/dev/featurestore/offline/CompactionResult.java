package dev.featurestore.offline;

import java.util.Objects;

/**
 * What one compaction of a view's table did.
 *
 * @param viewName the view
 * @param filesBefore live data files before
 * @param filesAfter live data files after (appends committed meanwhile included)
 * @param filesRewritten small files replaced
 * @param filesWritten files that replaced them
 * @param rowsRewritten rows copied
 * @param commits rewrite commits (one per run of consecutive small files merged)
 * @param seconds wall-clock duration
 */
public record CompactionResult(
    String viewName,
    int filesBefore,
    int filesAfter,
    int filesRewritten,
    int filesWritten,
    long rowsRewritten,
    int commits,
    double seconds) {
  public CompactionResult {
    Objects.requireNonNull(viewName, "viewName");
  }
}
