package dev.featurestore.offline.experiments;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link ExperimentAnalysis} reads an experiment. Immutable; start from {@link #defaults()}.
 *
 * @param control the variant the others are compared with; null for the first variant of {@code weights}, or
 *     without weights the alphabetically first observed one
 * @param weights the traffic weight of each variant as configured (any positive scale: {@code a=50,b=50} or
 *     {@code a=0.9,b=0.1}), in the experiment's order; empty to skip the sample-ratio check
 * @param perUnit how a unit's outcomes become its one value
 * @param confidence of the intervals of the differences, in (0, 1) (default 0.95)
 * @param sampleRatioAlpha the sample-ratio check flags a mismatch when its p-value is below this (default 0.001: at
 *     100,000 units a 50/50 split observed as 50.6/49.4 is flagged, 50.5/49.5 is not)
 */
public record AnalysisOptions(
    String control, Map<String, Double> weights, PerUnit perUnit, double confidence, double sampleRatioAlpha) {

  /** How the outcomes of one unit (those at or after its assignment) become the unit's value. */
  public enum PerUnit {
    /** The mean of the unit's outcomes; a unit without outcomes has no value and is left out of the means. */
    MEAN,
    /** The sum of the unit's outcomes; a unit without outcomes counts as 0 (conversions, revenue per unit). */
    SUM
  }

  public AnalysisOptions {
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(perUnit, "perUnit");
    Map<String, Double> copy = new LinkedHashMap<>();
    weights.forEach((variant, weight) -> {
      Objects.requireNonNull(variant, "variant");
      if (weight == null || !(weight >= 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "Cannot use weight " + weight + " of variant '" + variant + "': weights are finite and not negative");
      }
      copy.put(variant, weight);
    });
    if (!copy.isEmpty() && copy.values().stream().mapToDouble(Double::doubleValue).sum() <= 0) {
      throw new IllegalArgumentException("Cannot use weights " + weights + ": at least one must be positive");
    }
    weights = Collections.unmodifiableMap(copy);
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("Cannot use confidence " + confidence + ": it must be between 0 and 1");
    }
    if (!(sampleRatioAlpha > 0 && sampleRatioAlpha < 1)) {
      throw new IllegalArgumentException(
          "Cannot use sample-ratio alpha " + sampleRatioAlpha + ": it must be between 0 and 1");
    }
  }

  /** No control named, no weights, per-unit mean, 95% intervals, sample-ratio alpha 0.001. */
  public static AnalysisOptions defaults() {
    return new AnalysisOptions(null, Map.of(), PerUnit.MEAN, 0.95, 0.001);
  }

  public AnalysisOptions withControl(String control) {
    return new AnalysisOptions(control, weights, perUnit, confidence, sampleRatioAlpha);
  }

  public AnalysisOptions withWeights(Map<String, Double> weights) {
    return new AnalysisOptions(control, weights, perUnit, confidence, sampleRatioAlpha);
  }

  public AnalysisOptions withPerUnit(PerUnit perUnit) {
    return new AnalysisOptions(control, weights, perUnit, confidence, sampleRatioAlpha);
  }

  public AnalysisOptions withConfidence(double confidence) {
    return new AnalysisOptions(control, weights, perUnit, confidence, sampleRatioAlpha);
  }

  public AnalysisOptions withSampleRatioAlpha(double alpha) {
    return new AnalysisOptions(control, weights, perUnit, confidence, alpha);
  }
}
