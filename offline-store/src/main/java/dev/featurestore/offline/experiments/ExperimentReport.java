package dev.featurestore.offline.experiments;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of {@link ExperimentAnalysis#analyze}.
 *
 * @param control the variant the others are compared with
 * @param variants one per variant, control first, then in the order of the weights, then by name
 * @param sampleRatio the sample-ratio check, or null when no weights were given
 * @param outcomesCounted outcomes of assigned units at or after their assignment: the ones that count
 * @param outcomesBeforeAssignment outcomes of assigned units before their assignment, ignored
 * @param outcomesOfUnassignedUnits outcomes of units the log never assigned, ignored
 * @param conflictingUnits units logged under more than one variant (see
 *     {@link dev.featurestore.offline.predictions.Assignments#conflictingUnits})
 */
public record ExperimentReport(
    String experiment,
    String control,
    AnalysisOptions.PerUnit perUnit,
    double confidence,
    List<VariantResult> variants,
    SampleRatioCheck sampleRatio,
    long outcomesCounted,
    long outcomesBeforeAssignment,
    long outcomesOfUnassignedUnits,
    long conflictingUnits) {

  public ExperimentReport {
    variants = List.copyOf(variants);
  }

  /**
   * One variant.
   *
   * @param units units assigned to it
   * @param unitsWithValue units that have a value: with {@code MEAN} those with an outcome, with {@code SUM} all
   * @param mean the mean of the units' values (NaN without any)
   * @param standardDeviation the sample standard deviation of the units' values (NaN below 2)
   * @param vsControl the comparison with the control, or null for the control itself and when either side has
   *     fewer than 2 values
   */
  public record VariantResult(
      String variant, long units, long unitsWithValue, double mean, double standardDeviation, Comparison vsControl) {}

  /**
   * A variant against the control, by Welch's unequal-variances t-test.
   *
   * @param difference mean of the variant minus mean of the control
   * @param relativeDifference {@code difference} over the control's mean (NaN when that is 0)
   * @param low lower end of the confidence interval of the difference
   * @param high upper end
   * @param pValue two-sided p-value of "no difference"
   * @param degreesOfFreedom Welch-Satterthwaite degrees of freedom
   */
  public record Comparison(
      double difference, double relativeDifference, double low, double high, double pValue,
      double degreesOfFreedom) {

    /** Whether the interval excludes 0. */
    public boolean significant() {
      return low > 0 || high < 0;
    }
  }

  /**
   * Pearson's chi-square goodness-of-fit test of the observed units per variant against the configured weights.
   *
   * @param expectedShares each variant's share of units by the weights
   * @param observedUnits each variant's assigned units
   * @param mismatch whether {@code pValue < alpha}: assignment is broken (or the analysis reads the wrong units),
   *     and the comparisons are not to be trusted
   */
  public record SampleRatioCheck(
      Map<String, Double> expectedShares,
      Map<String, Long> observedUnits,
      double chiSquare,
      int degreesOfFreedom,
      double pValue,
      double alpha,
      boolean mismatch) {

    public SampleRatioCheck {
      // copies that keep the variants' order, for printing
      expectedShares = Collections.unmodifiableMap(new LinkedHashMap<>(expectedShares));
      observedUnits = Collections.unmodifiableMap(new LinkedHashMap<>(observedUnits));
    }
  }
}
