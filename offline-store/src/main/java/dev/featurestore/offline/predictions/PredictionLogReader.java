package dev.featurestore.offline.predictions;

/**
 * Reads the prediction log of a warehouse. Every method blocks (file and catalog I/O): call it from a worker or main
 * thread. Thread-safe. Failures are unchecked: {@link dev.featurestore.api.error.InvalidRequestException} for a bad
 * request or file, {@link dev.featurestore.api.error.NotFoundException} when nothing is logged for the model or
 * experiment, {@link dev.featurestore.api.error.UnavailableException} for storage failures.
 */
public interface PredictionLogReader extends AutoCloseable {

  /**
   * Builds a training set from the log joined to outcomes as {@link LogTrainingSetRequest} defines, and writes it as
   * Parquet: every column of the log table (the features as served), then {@code outcome_timestamp} (timestamptz)
   * and {@code outcome} (double), null for a row without an outcome; rows ordered by prediction time, request id
   * and row index. Reads the whole selection into memory.
   */
  LogTrainingSetResult trainingSet(LogTrainingSetRequest request);

  /**
   * The units of {@code experiment} across the logs of every model: per unit the variant and time of its first
   * logged prediction in the experiment.
   */
  Assignments assignments(String experiment);

  @Override
  void close();
}
