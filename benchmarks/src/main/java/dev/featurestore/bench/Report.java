package dev.featurestore.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints each run as it ends and, at the end, one table of every shape and target with the ratios. */
final class Report {
  private static final String BASELINE = "baseline-redis";

  private final PrintStream out;
  private final Map<String, Map<String, Row>> rows = new LinkedHashMap<>();

  /** One measured run. */
  /**
   * One measured run.
   *
   * @param serverCpuMicros CPU time the servers' JVM spent per answered request during the run (all its threads),
   *     NaN for targets that do not go through it: unlike latency, hardly disturbed by other load on the machine
   */
  record Row(Shape shape, String target, LatencySummary latency, LatencySummary sendLag, OpenLoop.Result result,
      double serverCpuMicros) {}

  Report(PrintStream out) {
    this.out = out;
  }

  void shapeStarted(Shape shape, String run) {
    out.printf(Locale.ROOT, "%nshape %s: %s; %s%n", shape.name(), shape.describe(), run);
    out.println(header());
    out.flush();
  }

  void add(Shape shape, String target, OpenLoop.Result result, double serverCpuMicros) {
    Row row = new Row(shape, target, LatencySummary.of(result.latencyNanos()),
        LatencySummary.of(result.sendLagNanos()), result, serverCpuMicros);
    rows.computeIfAbsent(shape.name(), name -> new LinkedHashMap<>()).put(target, row);
    out.println(line("", row));
    if (result.firstError() != null) {
      out.println("      first error: " + result.firstError());
    }
    out.flush();
  }

  void shapeEnded(Shape shape) {
    ratios(rows.getOrDefault(shape.name(), Map.of())).forEach(out::println);
    out.flush();
  }

  void summary() {
    out.printf("%nsummary (milliseconds, from the intended send time to the answer)%n");
    out.println(header());
    for (Map<String, Row> byTarget : rows.values()) {
      boolean first = true;
      for (Row row : byTarget.values()) {
        out.println(line(first ? row.shape().name() : "", row));
        first = false;
      }
      ratios(byTarget).forEach(out::println);
    }
    out.flush();
  }

  private static List<String> ratios(Map<String, Row> byTarget) {
    List<String> lines = new ArrayList<>();
    Row baseline = byTarget.get(BASELINE);
    if (baseline == null) {
      return lines;
    }
    for (Row row : byTarget.values()) {
      if (row != baseline) {
        lines.add(String.format(Locale.ROOT, "  %-9s %s / %s: p50 %s, p99 %s", "", row.target(), BASELINE,
            LatencySummary.ratio(row.latency().p50Millis(), baseline.latency().p50Millis()),
            LatencySummary.ratio(row.latency().p99Millis(), baseline.latency().p99Millis())));
      }
    }
    return lines;
  }

  private static String header() {
    return String.format(Locale.ROOT, "  %-9s %-18s %8s %8s %8s %8s %8s %9s %7s %9s %12s", "shape", "target", "p50",
        "p90", "p99", "p99.9", "max", "req/s", "errors", "lag p99", "srv cpu us/r");
  }

  private static String line(String shape, Row row) {
    LatencySummary l = row.latency();
    return String.format(Locale.ROOT, "  %-9s %-18s %8s %8s %8s %8s %8s %9.1f %7d %9s %12s", shape, row.target(),
        LatencySummary.millisText(l.p50Millis()), LatencySummary.millisText(l.p90Millis()),
        LatencySummary.millisText(l.p99Millis()), LatencySummary.millisText(l.p999Millis()),
        LatencySummary.millisText(l.maxMillis()), row.result().achievedRate(), row.result().errors(),
        LatencySummary.millisText(row.sendLag().p99Millis()),
        Double.isNaN(row.serverCpuMicros()) ? "-" : String.format(Locale.ROOT, "%.0f", row.serverCpuMicros()));
  }
}
