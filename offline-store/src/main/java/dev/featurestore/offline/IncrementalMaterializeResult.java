package dev.featurestore.offline;

import java.util.Objects;

/**
 * What one incremental materialization of a view read and wrote.
 *
 * @param viewName the view
 * @param kind what the run had to read
 * @param fromSnapshotId the watermark the run started from (exclusive), -1 when there was none or it could not be
 *     used ({@link Kind#FULL})
 * @param toSnapshotId the snapshot the run read up to (inclusive) and stored as the new watermark; -1 when the
 *     table has no snapshot yet
 * @param keysWritten distinct keys written (one row each: the newest of the key among the rows read)
 * @param rowsScanned offline rows read
 * @param watermarkAdvanced whether the watermark now is {@code toSnapshotId}; false when nothing was to be read, or
 *     when another run moved the watermark meanwhile (its rows are online either way: the next run reads from where
 *     that run left it)
 * @param seconds wall-clock duration
 */
public record IncrementalMaterializeResult(
    String viewName,
    Kind kind,
    long fromSnapshotId,
    long toSnapshotId,
    long keysWritten,
    long rowsScanned,
    boolean watermarkAdvanced,
    double seconds) {

  /** What a run had to read. */
  public enum Kind {
    /** The rows of the append snapshots committed after the watermark; rewrites (compaction) add none. */
    INCREMENTAL,
    /**
     * Every row of the current snapshot: the first run of a view, or a watermark that is no longer in the table's
     * history (expired, or the table was rolled back), or a commit after it that is neither an append nor a rewrite.
     */
    FULL,
    /** Nothing was committed since the watermark. */
    UP_TO_DATE,
    /** The view's table has no data yet. */
    NO_DATA
  }

  public IncrementalMaterializeResult {
    Objects.requireNonNull(viewName, "viewName");
    Objects.requireNonNull(kind, "kind");
    if (keysWritten < 0 || rowsScanned < 0) {
      throw new IllegalArgumentException("Cannot make an incremental materialize result: counts " + keysWritten
          + "/" + rowsScanned + " are negative");
    }
  }
}
