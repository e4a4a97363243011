package dev.featurestore.offline.predictions;

import dev.featurestore.api.definition.Names;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A training set from the prediction log of one model: the features exactly as served, each logged row labelled
 * with the first outcome of its unit (or join key) within a window after the prediction. Immutable; start from
 * {@link #of} and refine with the {@code withX} methods.
 *
 * <p><b>Join.</b> For a logged row with prediction time {@code t} and join value {@code u} (the row's {@code unit},
 * or the value of the key column named by {@link #joinColumn}), the label is the outcome {@code o} with
 * {@code o.unit = u} and {@code t <= o.time}, and when {@link #window} is not zero {@code o.time <= t + window},
 * with the smallest {@code o.time} (ties: the first in the file). None: the row is kept with a null label. So an
 * outcome observed before the prediction never labels it, and an outcome labels every prediction of its unit that
 * preceded it within the window.
 *
 * @param model the model whose log is read ({@code predictions.<model>})
 * @param outcomes a {@code .parquet} or {@code .csv} file of outcomes, read with {@link Outcomes#read}
 * @param output the Parquet file to write (replaced atomically)
 * @param joinColumn {@code unit} (default) or an INT32, INT64 or STRING key column of the log; the outcomes file
 *     names its join column the same unless {@link #outcomeColumns} says otherwise
 * @param outcomeColumns the column names of the outcomes file
 * @param window how long after a prediction an outcome still labels it; {@link Duration#ZERO} for no limit
 *     (default 1 day)
 * @param modelVersion only rows of this model version; 0 (default) for all versions
 * @param startMicros only predictions at or after this time (default: all)
 * @param endMicros only predictions before this time (default: all); choose it at least {@code window} before the
 *     newest outcome, so that every row had its whole window to get an outcome
 */
public record LogTrainingSetRequest(
    String model,
    Path outcomes,
    Path output,
    String joinColumn,
    OutcomeColumns outcomeColumns,
    Duration window,
    int modelVersion,
    long startMicros,
    long endMicros) {

  public LogTrainingSetRequest {
    Names.check(model, "model");
    Objects.requireNonNull(outcomes, "outcomes");
    Objects.requireNonNull(output, "output");
    Names.check(joinColumn, "join column");
    Objects.requireNonNull(outcomeColumns, "outcomeColumns");
    Objects.requireNonNull(window, "window");
    if (window.isNegative()) {
      throw new IllegalArgumentException("Cannot use outcome window " + window + ": it must not be negative");
    }
    if (modelVersion < 0) {
      throw new IllegalArgumentException("Cannot select model version " + modelVersion + ": it must be positive");
    }
    if (startMicros >= endMicros) {
      throw new IllegalArgumentException(
          "Cannot select predictions from " + startMicros + " to " + endMicros + ": the start must be before the end");
    }
  }

  /** All logged rows of {@code model}, joined on {@code unit} with a one-day window. */
  public static LogTrainingSetRequest of(String model, Path outcomes, Path output) {
    return new LogTrainingSetRequest(model, outcomes, output, "unit", OutcomeColumns.defaults(), Duration.ofDays(1),
        0, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** Joins on {@code column} of the log and the same-named column of the outcomes file. */
  public LogTrainingSetRequest withJoinColumn(String column) {
    return new LogTrainingSetRequest(model, outcomes, output, column, outcomeColumns.withUnit(column), window,
        modelVersion, startMicros, endMicros);
  }

  public LogTrainingSetRequest withOutcomeColumns(OutcomeColumns columns) {
    return new LogTrainingSetRequest(model, outcomes, output, joinColumn, columns, window, modelVersion,
        startMicros, endMicros);
  }

  public LogTrainingSetRequest withWindow(Duration window) {
    return new LogTrainingSetRequest(model, outcomes, output, joinColumn, outcomeColumns, window, modelVersion,
        startMicros, endMicros);
  }

  public LogTrainingSetRequest withModelVersion(int version) {
    return new LogTrainingSetRequest(model, outcomes, output, joinColumn, outcomeColumns, window, version,
        startMicros, endMicros);
  }

  /** Only predictions with {@code startMicros <= prediction_timestamp < endMicros}. */
  public LogTrainingSetRequest withTimeRange(long startMicros, long endMicros) {
    return new LogTrainingSetRequest(model, outcomes, output, joinColumn, outcomeColumns, window, modelVersion,
        startMicros, endMicros);
  }
}
