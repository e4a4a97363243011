package dev.featurestore.deploy.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurestore.offline.experiments.ExperimentReport;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import java.util.Map;

/** Renders an experiment report as a terminal table or as JSON. */
final class ExperimentReportPrinter {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ExperimentReportPrinter() {}

  static String table(ExperimentReport report) {
    StringBuilder out = new StringBuilder();
    long units = report.variants().stream().mapToLong(ExperimentReport.VariantResult::units).sum();
    int level = (int) Math.round(report.confidence() * 100);
    out.append(format("Experiment '%s': %,d units, control '%s', per-unit %s of outcomes, %d%% intervals (Welch)%n%n",
        report.experiment(), units, report.control(), report.perUnit().name().toLowerCase(Locale.ROOT), level));
    String row = "%-16s %10s %11s %12s %12s %24s %28s %10s%n";
    out.append(format(row, "variant", "units", "with value", "mean", "std dev", "diff vs control",
        level + "% CI", "p-value"));
    for (ExperimentReport.VariantResult variant : report.variants()) {
      ExperimentReport.Comparison c = variant.vsControl();
      String diff = "-";
      String interval = "-";
      String p = "-";
      if (c != null) {
        diff = format("%+.4g", c.difference())
            + (Double.isNaN(c.relativeDifference()) ? "" : format(" (%+.2f%%)", c.relativeDifference() * 100));
        interval = format("[%+.4g, %+.4g]%s", c.low(), c.high(), c.significant() ? " *" : "");
        p = format("%.3g", c.pValue());
      } else if (!variant.variant().equals(report.control())) {
        diff = "n/a (< 2 values)";
      }
      out.append(format(row, variant.variant(), format("%,d", variant.units()),
          format("%,d", variant.unitsWithValue()), number(variant.mean()), number(variant.standardDeviation()),
          diff, interval, p));
    }
    out.append(format("%n"));
    ExperimentReport.SampleRatioCheck srm = report.sampleRatio();
    if (srm == null) {
      out.append(format("Sample ratio: not checked (give --weights)%n"));
    } else {
      StringBuilder shares = new StringBuilder();
      for (Map.Entry<String, Double> share : srm.expectedShares().entrySet()) {
        shares.append(shares.isEmpty() ? "" : ", ").append(share.getKey()).append('=')
            .append(plain(share.getValue() * 100)).append('%');
      }
      String verdict = srm.mismatch()
          ? format("SAMPLE RATIO MISMATCH (p < %s): assignment or logging is broken; do not trust the differences",
              srm.alpha())
          : "OK";
      out.append(format("Sample ratio: chi-square %s (df %d), p = %.3g against %s: %s%n", plain(srm.chiSquare()),
          srm.degreesOfFreedom(), srm.pValue(), shares, verdict));
    }
    out.append(format("Outcomes: %,d counted, %,d before their unit's assignment (ignored), %,d of units never "
            + "assigned (ignored); %,d units logged under more than one variant%n", report.outcomesCounted(),
        report.outcomesBeforeAssignment(), report.outcomesOfUnassignedUnits(), report.conflictingUnits()));
    if (report.variants().stream().anyMatch(v -> v.vsControl() != null)) {
      out.append(format("* the interval excludes 0%n"));
    }
    return out.toString();
  }

  static String json(ExperimentReport report) {
    ObjectNode root = JSON.createObjectNode();
    root.put("experiment", report.experiment());
    root.put("control", report.control());
    root.put("per_unit", report.perUnit().name().toLowerCase(Locale.ROOT));
    root.put("confidence", report.confidence());
    ArrayNode variants = root.putArray("variants");
    for (ExperimentReport.VariantResult variant : report.variants()) {
      ObjectNode node = variants.addObject();
      node.put("variant", variant.variant());
      node.put("units", variant.units());
      node.put("units_with_value", variant.unitsWithValue());
      put(node, "mean", variant.mean());
      put(node, "std_dev", variant.standardDeviation());
      ExperimentReport.Comparison c = variant.vsControl();
      if (c == null) {
        node.putNull("vs_control");
      } else {
        ObjectNode comparison = node.putObject("vs_control");
        put(comparison, "difference", c.difference());
        put(comparison, "relative_difference", c.relativeDifference());
        put(comparison, "ci_low", c.low());
        put(comparison, "ci_high", c.high());
        put(comparison, "p_value", c.pValue());
        put(comparison, "degrees_of_freedom", c.degreesOfFreedom());
        comparison.put("significant", c.significant());
      }
    }
    ExperimentReport.SampleRatioCheck srm = report.sampleRatio();
    if (srm == null) {
      root.putNull("sample_ratio");
    } else {
      ObjectNode node = root.putObject("sample_ratio");
      ObjectNode shares = node.putObject("expected_shares");
      srm.expectedShares().forEach(shares::put);
      ObjectNode observed = node.putObject("observed_units");
      srm.observedUnits().forEach(observed::put);
      put(node, "chi_square", srm.chiSquare());
      node.put("degrees_of_freedom", srm.degreesOfFreedom());
      put(node, "p_value", srm.pValue());
      node.put("alpha", srm.alpha());
      node.put("mismatch", srm.mismatch());
    }
    root.put("outcomes_counted", report.outcomesCounted());
    root.put("outcomes_before_assignment", report.outcomesBeforeAssignment());
    root.put("outcomes_of_unassigned_units", report.outcomesOfUnassignedUnits());
    root.put("conflicting_units", report.conflictingUnits());
    try {
      return JSON.writeValueAsString(root) + System.lineSeparator();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the report as JSON: " + e.getMessage(), e);
    }
  }

  /** JSON has no NaN or infinity: those are null. */
  private static void put(ObjectNode node, String field, double value) {
    if (Double.isFinite(value)) {
      node.put(field, value);
    } else {
      node.putNull(field);
    }
  }

  /** Up to 3 decimals, without trailing zeros: 50, 33.333, 16. */
  private static String plain(double value) {
    return Double.isFinite(value) ? new DecimalFormat("0.###", DecimalFormatSymbols.getInstance(Locale.ROOT))
        .format(value) : String.valueOf(value);
  }

  private static String number(double value) {
    return Double.isNaN(value) ? "-" : format("%.4f", value);
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
