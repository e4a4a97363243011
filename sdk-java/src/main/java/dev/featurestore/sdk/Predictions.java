package dev.featurestore.sdk;

import java.util.Collections;
import java.util.List;

/**
 * The answer to a {@link PredictionRequest}: which model version scored (and, with an experiment, which variant),
 * and one score per row in request order. Immutable.
 *
 * @param experiment the experiment, null when the request named a model
 * @param variant the unit's variant, null without an experiment
 * @param featureNames the model's input names, empty unless feature values were asked for
 */
public record Predictions(
    String requestId, String model, int modelVersion, String experiment, String variant, List<String> featureNames,
    List<Scored> rows) {

  public Predictions {
    featureNames = List.copyOf(featureNames);
    rows = List.copyOf(rows);
  }

  /**
   * One row's score.
   *
   * @param features the values fed to the model, parallel to {@code featureNames} (empty unless asked for)
   * @param defaulted the inputs whose value was missing and replaced by the model's default
   */
  public record Scored(double score, List<Object> features, List<String> defaulted) {
    public Scored {
      features = Collections.unmodifiableList(new java.util.ArrayList<>(features));
      defaulted = List.copyOf(defaulted);
    }
  }
}
