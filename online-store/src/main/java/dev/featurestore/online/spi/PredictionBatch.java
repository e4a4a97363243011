package dev.featurestore.online.spi;

import dev.featurestore.api.ValueType;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rows one predict call scored with one model, exactly as served.
 *
 * @param requestId the predict call's id (unique per call)
 * @param timeMicros server time of the prediction, UTC epoch microseconds
 * @param model the model's name
 * @param modelVersion the version that produced {@link PredictionRow#score}
 * @param experiment the experiment the request named, or null when it named a model directly
 * @param variant the experiment variant the unit was assigned to, or null without an experiment
 * @param keyColumns the entity join keys of each row, in order (name and type)
 * @param featureColumns the model's inputs as fed to it, in order (name and type)
 * @param rows one per entity row of the request, in request order
 */
public record PredictionBatch(
    String requestId,
    long timeMicros,
    String model,
    int modelVersion,
    String experiment,
    String variant,
    List<Column> keyColumns,
    List<Column> featureColumns,
    List<PredictionRow> rows) {

  public PredictionBatch {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(model, "model");
    keyColumns = List.copyOf(keyColumns);
    featureColumns = List.copyOf(featureColumns);
    rows = List.copyOf(rows);
  }

  /** A typed column of the log. */
  public record Column(String name, ValueType type) {
    public Column {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
    }
  }

  /**
   * One scored entity row.
   *
   * @param unit the experiment unit's value as text (e.g. the user id), or null without an experiment
   * @param keys the join-key values, parallel to {@code keyColumns} (canonical Java values of {@link ValueType})
   * @param features the values fed to the model, parallel to {@code featureColumns}, after defaults; may hold nulls
   * @param defaulted names of the features whose value was missing and replaced by the model's default
   * @param score the returned score
   * @param shadowScores score of each shadow model that succeeded, by {@code model@version}
   */
  public record PredictionRow(
      String unit,
      List<Object> keys,
      List<Object> features,
      List<String> defaulted,
      double score,
      Map<String, Double> shadowScores) {
    public PredictionRow {
      keys = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(keys));
      features = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(features));
      defaulted = List.copyOf(defaulted);
      shadowScores = Map.copyOf(shadowScores);
    }
  }
}
