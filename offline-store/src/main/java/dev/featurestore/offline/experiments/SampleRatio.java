package dev.featurestore.offline.experiments;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.math3.special.Gamma;

/** Pearson's chi-square goodness-of-fit test of observed units per variant against configured weights. */
final class SampleRatio {
  private SampleRatio() {}

  /**
   * @param weights positive-sum weights by variant
   * @param observed units by variant; a variant observed without a weight is a mismatch by itself
   */
  static ExperimentReport.SampleRatioCheck check(
      Map<String, Double> weights, Map<String, Long> observed, double alpha) {
    double totalWeight = weights.values().stream().mapToDouble(Double::doubleValue).sum();
    long totalUnits = observed.values().stream().mapToLong(Long::longValue).sum();
    Map<String, Double> shares = new LinkedHashMap<>();
    weights.forEach((variant, weight) -> shares.put(variant, weight / totalWeight));
    Map<String, Long> counts = new LinkedHashMap<>();
    shares.keySet().forEach(variant -> counts.put(variant, observed.getOrDefault(variant, 0L)));
    observed.forEach(counts::putIfAbsent);

    double chiSquare = 0;
    int categories = 0;
    boolean impossible = false;
    for (Map.Entry<String, Long> count : counts.entrySet()) {
      double expected = shares.getOrDefault(count.getKey(), 0.0) * totalUnits;
      if (expected > 0) {
        double gap = count.getValue() - expected;
        chiSquare += gap * gap / expected;
        categories++;
      } else if (count.getValue() > 0) {
        impossible = true;
      }
    }
    int df = Math.max(1, categories - 1);
    double p;
    if (impossible) {
      chiSquare = Double.POSITIVE_INFINITY;
      p = 0;
    } else if (totalUnits == 0 || categories < 2) {
      p = 1;
    } else {
      // the upper tail of chi-square(df) directly: 1 - cdf would round to 0 long before p does
      p = Gamma.regularizedGammaQ(df / 2.0, chiSquare / 2);
    }
    return new ExperimentReport.SampleRatioCheck(shares, counts, chiSquare, df, p, alpha, p < alpha);
  }
}
