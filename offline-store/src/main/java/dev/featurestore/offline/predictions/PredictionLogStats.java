package dev.featurestore.offline.predictions;

/**
 * What a prediction log did since it was opened; a consistent-enough snapshot of counters that only grow.
 *
 * @param accepted batches {@code offer} took
 * @param dropped batches {@code offer} refused because the queue was full or the log closed
 * @param refused accepted batches the writer did not write because they contradict the table (a column whose type
 *     changed, a bad model or column name, rows that do not fit their columns); each is logged as an error
 * @param failed accepted batches lost because the storage failed while committing them; each failure is logged
 * @param rowsWritten rows committed to the tables
 * @param commits Iceberg commits made (one per model per commit round)
 */
public record PredictionLogStats(
    long accepted, long dropped, long refused, long failed, long rowsWritten, long commits) {}
