package dev.featurestore.bench;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The figures printed for one run, from a histogram of nanoseconds: percentiles and maximum in milliseconds.
 *
 * @param count recorded values
 */
record LatencySummary(long count, double p50Millis, double p90Millis, double p99Millis, double p999Millis,
    double maxMillis) {

  static LatencySummary of(Histogram nanos) {
    if (nanos.getTotalCount() == 0) {
      return new LatencySummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    return new LatencySummary(nanos.getTotalCount(), millis(nanos.getValueAtPercentile(50)),
        millis(nanos.getValueAtPercentile(90)), millis(nanos.getValueAtPercentile(99)),
        millis(nanos.getValueAtPercentile(99.9)), millis(nanos.getMaxValue()));
  }

  /** {@code a / b} formatted as a ratio, or "-" when either side has no value. */
  static String ratio(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b) || b <= 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.2fx", a / b);
  }

  static String millisText(double millis) {
    return Double.isNaN(millis) ? "-" : String.format(Locale.ROOT, "%.3f", millis);
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}
