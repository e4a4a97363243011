package dev.featurestore.offline.predictions;

import dev.featurestore.online.spi.PredictionLog;

/**
 * A {@link PredictionLog} that appends every offered batch to the Iceberg table {@code predictions.<model>} of a
 * warehouse, in commits of many batches. Open with {@link PredictionLogs#open} (or
 * {@code OfflineStores.predictionLog}).
 *
 * <p><b>Table.</b> One table per model name, partitioned by day of {@code prediction_timestamp}, one row per scored
 * entity row: {@code request_id} (string), {@code row_index} (int, the row's position in its request),
 * {@code prediction_timestamp} (timestamptz), {@code model_version} (int), {@code experiment}, {@code variant},
 * {@code unit} (strings, null without an experiment), then the key columns and the feature columns of the batches
 * (typed by their {@link dev.featurestore.api.ValueType}), then {@code score} (double), {@code defaulted}
 * (list&lt;string&gt;) and {@code shadow_scores} (map&lt;string, double&gt;). A batch with a column the table lacks
 * (a later model version with more inputs) adds it, before {@code score}; rows of batches without it hold null
 * there. A batch naming an existing column with another type is refused whole: logged as an error, counted in
 * {@link PredictionLogStats#refused}, and the writer goes on with the other batches.
 *
 * <p><b>Batching.</b> The writer commits when {@link PredictionLogOptions#commitRows} rows wait, or
 * {@link PredictionLogOptions#commitInterval} after the first waiting batch was accepted, whichever comes first;
 * each commit is one Iceberg snapshot per model. {@link #offer} never blocks; with a full queue it drops the batch
 * and counts it in {@link PredictionLogStats#dropped}.
 *
 * <p>Thread-safe. {@link #flush()} and {@link #close()} block; every batch {@link #offer} accepted before a clean
 * {@link #close()} is committed by the time it returns, unless the storage fails (then counted in
 * {@link PredictionLogStats#failed} and logged).
 */
public interface OfflinePredictionLog extends PredictionLog {

  /** The log's counters now. */
  PredictionLogStats stats();
}
