package dev.featurestore.offline.experiments;

import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.offline.predictions.Assignment;
import dev.featurestore.offline.predictions.Assignments;
import dev.featurestore.offline.predictions.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

/**
 * Analyses an A/B experiment from its assignments (read from the prediction log) and an outcomes table.
 *
 * <p><b>Join.</b> An outcome counts for a unit when the unit was assigned and the outcome's time is at or after the
 * unit's first assignment: what happened before a unit saw its variant cannot be an effect of it. Each unit's
 * counted outcomes become one value ({@link AnalysisOptions.PerUnit}), and the unit is the sample: units are
 * independent where single outcomes of one unit are not.
 *
 * <p><b>Statistics.</b> Per variant the number of assigned units, the mean and standard deviation of the units'
 * values; per non-control variant the difference of means to the control with a confidence interval and a
 * two-sided p-value from Welch's t-test (no equal-variance assumption). With weights, a chi-square test of the
 * assigned units per variant against them: a sample-ratio mismatch means assignment or logging is broken, and the
 * differences are then not to be trusted whatever their p-values.
 *
 * <p>Stateless and thread-safe; pure computation.
 */
public final class ExperimentAnalysis {
  private ExperimentAnalysis() {}

  /**
   * @throws InvalidRequestException when the control is not a variant of the experiment, or no unit is assigned
   */
  public static ExperimentReport analyze(
      String experiment, Assignments assignments, List<Outcome> outcomes, AnalysisOptions options) {
    Objects.requireNonNull(experiment, "experiment");
    Objects.requireNonNull(assignments, "assignments");
    Objects.requireNonNull(outcomes, "outcomes");
    Objects.requireNonNull(options, "options");
    String action = "Cannot analyze experiment '" + experiment + "'";
    if (assignments.units().isEmpty()) {
      throw new InvalidRequestException(action + ": no unit is assigned to any variant");
    }
    Map<String, Assignment> byUnit = new HashMap<>();
    Map<String, Long> unitsPerVariant = new HashMap<>();
    for (Assignment assignment : assignments.units()) {
      if (byUnit.put(assignment.unit(), assignment) != null) {
        throw new InvalidRequestException(action + ": unit '" + assignment.unit() + "' is assigned twice");
      }
      unitsPerVariant.merge(assignment.variant(), 1L, Long::sum);
    }
    List<String> variants = order(options.weights().keySet(), unitsPerVariant.keySet());
    String control = options.control() == null ? variants.get(0) : options.control();
    if (!variants.contains(control)) {
      throw new InvalidRequestException(
          action + ": control variant '" + control + "' is not one of its variants " + variants);
    }
    variants.remove(control);
    variants.add(0, control);

    // per unit: sum and count of the outcomes at or after its assignment
    Map<String, double[]> perUnit = new HashMap<>();
    long counted = 0;
    long before = 0;
    long unassigned = 0;
    for (Outcome outcome : outcomes) {
      Assignment assignment = byUnit.get(outcome.unit());
      if (assignment == null) {
        unassigned++;
      } else if (outcome.timeMicros() < assignment.firstMicros()) {
        before++;
      } else {
        counted++;
        double[] sumAndCount = perUnit.computeIfAbsent(outcome.unit(), unit -> new double[2]);
        sumAndCount[0] += outcome.value();
        sumAndCount[1]++;
      }
    }
    Map<String, SummaryStatistics> stats = new LinkedHashMap<>();
    variants.forEach(variant -> stats.put(variant, new SummaryStatistics()));
    for (Assignment assignment : assignments.units()) {
      double[] sumAndCount = perUnit.get(assignment.unit());
      SummaryStatistics variant = stats.get(assignment.variant());
      if (options.perUnit() == AnalysisOptions.PerUnit.SUM) {
        variant.addValue(sumAndCount == null ? 0 : sumAndCount[0]);
      } else if (sumAndCount != null) {
        variant.addValue(sumAndCount[0] / sumAndCount[1]);
      }
    }

    List<ExperimentReport.VariantResult> results = new ArrayList<>();
    for (String variant : variants) {
      SummaryStatistics values = stats.get(variant);
      ExperimentReport.Comparison comparison = variant.equals(control)
          ? null
          : Welch.compare(values, stats.get(control), options.confidence());
      results.add(new ExperimentReport.VariantResult(variant, unitsPerVariant.getOrDefault(variant, 0L),
          values.getN(), values.getN() == 0 ? Double.NaN : values.getMean(),
          values.getN() < 2 ? Double.NaN : values.getStandardDeviation(), comparison));
    }
    ExperimentReport.SampleRatioCheck sampleRatio = options.weights().isEmpty()
        ? null
        : SampleRatio.check(options.weights(), unitsPerVariant, options.sampleRatioAlpha());
    return new ExperimentReport(experiment, control, options.perUnit(), options.confidence(), results, sampleRatio,
        counted, before, unassigned, assignments.conflictingUnits());
  }

  /** The weights' variants in their order, then the other observed ones by name. */
  private static List<String> order(Set<String> weighted, Set<String> observed) {
    Set<String> ordered = new LinkedHashSet<>(weighted);
    ordered.addAll(new TreeSet<>(observed));
    return new ArrayList<>(ordered);
  }
}
