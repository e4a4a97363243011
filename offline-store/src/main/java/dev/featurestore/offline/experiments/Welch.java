package dev.featurestore.offline.experiments;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

/** Welch's unequal-variances t-test and confidence interval for a difference of two means. */
final class Welch {
  private Welch() {}

  /**
   * Compares {@code variant} with {@code control}; null when either has fewer than 2 values.
   *
   * @param confidence of the interval, in (0, 1)
   */
  static ExperimentReport.Comparison compare(SummaryStatistics variant, SummaryStatistics control, double confidence) {
    long n1 = variant.getN();
    long n2 = control.getN();
    if (n1 < 2 || n2 < 2) {
      return null;
    }
    double difference = variant.getMean() - control.getMean();
    double relative = control.getMean() == 0 ? Double.NaN : difference / control.getMean();
    double a = variant.getVariance() / n1;
    double b = control.getVariance() / n2;
    double se2 = a + b;
    if (se2 == 0) {
      // both constant: the difference is exact
      return new ExperimentReport.Comparison(difference, relative, difference, difference,
          difference == 0 ? 1 : 0, n1 + n2 - 2);
    }
    double df = se2 * se2 / (a * a / (n1 - 1) + b * b / (n2 - 1));
    double se = Math.sqrt(se2);
    double t = difference / se;
    TDistribution distribution = new TDistribution(null, df);
    // the lower tail of -|t| keeps precision where 1 - cdf would round to 0
    double p = Math.min(1, 2 * distribution.cumulativeProbability(-Math.abs(t)));
    double q = distribution.inverseCumulativeProbability(1 - (1 - confidence) / 2);
    return new ExperimentReport.Comparison(difference, relative, difference - q * se, difference + q * se, p, df);
  }
}
