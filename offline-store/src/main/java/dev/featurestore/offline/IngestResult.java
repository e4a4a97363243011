package dev.featurestore.offline;

/**
 * What one ingestion committed.
 *
 * @param rows rows appended to the view's table
 * @param snapshotId the Iceberg snapshot that holds them: the one append of this ingestion, or the table's current
 *     snapshot (-1 if none) when the file had no rows and nothing was committed
 * @param seconds wall-clock duration
 */
public record IngestResult(long rows, long snapshotId, double seconds) {
  public IngestResult {
    if (rows < 0) {
      throw new IllegalArgumentException("Cannot make an ingest result: rows " + rows + " is negative");
    }
  }
}
