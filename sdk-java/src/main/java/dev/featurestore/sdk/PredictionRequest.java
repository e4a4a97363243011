package dev.featurestore.sdk;

import dev.featurestore.api.definition.Names;
import dev.featurestore.api.error.InvalidRequestException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A request to score entity rows with a model (a given version, or the highest one) or through an experiment (the
 * unit's variant picks the model). Keys shared by every row, such as the user of a ranking request, can be given
 * once with {@link #withShared}. Immutable; refine with the {@code withX} methods.
 *
 * <pre>{@code
 * PredictionRequest.ofExperiment("ranker_ab")
 *     .withShared(Map.of("user_id", 42L))
 *     .withRow(Map.of("item_id", 7L)).withRow(Map.of("item_id", 8L));
 * }</pre>
 *
 * @param model the model's name, null with an experiment
 * @param modelVersion the model version, 0 for the highest defined one
 * @param experiment the experiment's name, null with a model
 * @param rows join key name to Java value per row ({@link Integer}, {@link Long}, {@link String}, bytes)
 * @param shared join keys common to every row
 * @param includeFeatures whether the answer carries the values fed to the model
 */
public record PredictionRequest(
    String model, int modelVersion, String experiment, List<Map<String, Object>> rows, Map<String, Object> shared,
    boolean includeFeatures) {

  public PredictionRequest {
    if ((model == null) == (experiment == null)) {
      throw new InvalidRequestException("Cannot build prediction request: name a model or an experiment");
    }
    if (model != null) {
      Names.check(model, "model");
    } else {
      Names.check(experiment, "experiment");
    }
    if (modelVersion < 0) {
      throw new InvalidRequestException(
          "Cannot build prediction request: model version " + modelVersion + " is negative (0 means the latest)");
    }
    List<Map<String, Object>> copies = new ArrayList<>(rows.size());
    for (Map<String, Object> row : rows) {
      copies.add(Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(row, "row"))));
    }
    rows = Collections.unmodifiableList(copies);
    shared = Collections.unmodifiableMap(new LinkedHashMap<>(shared));
  }

  /** The highest defined version of {@code model}. */
  public static PredictionRequest ofModel(String model) {
    return ofModel(model, 0);
  }

  public static PredictionRequest ofModel(String model, int version) {
    return new PredictionRequest(model, version, null, List.of(), Map.of(), false);
  }

  public static PredictionRequest ofExperiment(String experiment) {
    return new PredictionRequest(null, 0, experiment, List.of(), Map.of(), false);
  }

  /** This request with one more row to score. */
  public PredictionRequest withRow(Map<String, Object> keys) {
    List<Map<String, Object>> more = new ArrayList<>(rows);
    more.add(keys);
    return new PredictionRequest(model, modelVersion, experiment, more, shared, includeFeatures);
  }

  /** This request with keys sent once and broadcast to every row. */
  public PredictionRequest withShared(Map<String, Object> keys) {
    return new PredictionRequest(model, modelVersion, experiment, rows, keys, includeFeatures);
  }

  /** This request asking for the values fed to the model with each score. */
  public PredictionRequest withFeatureValues() {
    return new PredictionRequest(model, modelVersion, experiment, rows, shared, true);
  }
}
