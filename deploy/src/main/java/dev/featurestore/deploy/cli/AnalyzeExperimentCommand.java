package dev.featurestore.deploy.cli;

import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.deploy.server.Components;
import dev.featurestore.offline.experiments.AnalysisOptions;
import dev.featurestore.offline.experiments.ExperimentAnalysis;
import dev.featurestore.offline.experiments.ExperimentReport;
import dev.featurestore.offline.predictions.Assignments;
import dev.featurestore.offline.predictions.Outcome;
import dev.featurestore.offline.predictions.Outcomes;
import dev.featurestore.offline.predictions.PredictionLogReader;
import dev.featurestore.registry.Registry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "analyze-experiment", mixinStandardHelpOptions = true,
    description = {
      "Compares the variants of an A/B experiment on an outcome, from the prediction log.",
      "Each unit's variant is the one of its first logged prediction in the experiment. An outcome counts for a "
          + "unit only at or after that time; a unit's counted outcomes become one value (--per-unit). Per variant: "
          + "units, mean and standard deviation; per other variant: the difference to the control with a confidence "
          + "interval and p-value (Welch's t-test). With the weights (--weights, or the experiment's in the registry), "
          + "a chi-square sample-ratio check flags broken "
          + "assignment (then no difference is to be trusted)."
    })
final class AnalyzeExperimentCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Option(names = {"-x", "--experiment"}, required = true, paramLabel = "NAME", description = "The experiment.")
  String experiment;

  @Mixin
  OutcomeFileOptions outcomes;

  @Option(names = "--control", paramLabel = "VARIANT",
      description = "The variant the others are compared with (default: the first of --weights or of the "
          + "experiment's variants in the registry, else the alphabetically first).")
  String control;

  @Option(names = "--weights", split = ",", paramLabel = "VARIANT=WEIGHT",
      description = "The traffic weights the units were assigned by, e.g. a=50,b=50, for the sample-ratio check "
          + "(default: the experiment's variants and weights in the registry, when it defines the experiment).")
  Map<String, Double> weights = new LinkedHashMap<>();

  @Option(names = "--per-unit", defaultValue = "mean", paramLabel = "mean|sum",
      description = "A unit's value: the mean of its outcomes (units without outcomes left out) or their sum "
          + "(units without outcomes count 0) (default: ${DEFAULT-VALUE}).")
  String perUnit;

  @Option(names = "--confidence", defaultValue = "0.95", paramLabel = "LEVEL",
      description = "Confidence level of the intervals (default: ${DEFAULT-VALUE}).")
  double confidence;

  @Option(names = "--srm-alpha", defaultValue = "0.001", paramLabel = "P",
      description = "Flag a sample-ratio mismatch below this p-value (default: ${DEFAULT-VALUE}).")
  double srmAlpha;

  @Option(names = "--unit-column", defaultValue = "unit", paramLabel = "NAME",
      description = "Outcomes column of the unit (default: ${DEFAULT-VALUE}).")
  String unitColumn;

  @Option(names = "--json", description = "Print the report as JSON instead of a table.")
  boolean json;

  @Override
  public void run() {
    AnalysisOptions options;
    try {
      options = AnalysisOptions.defaults()
          .withControl(control)
          .withWeights(weights.isEmpty() ? registeredWeights() : weights)
          .withPerUnit(parsePerUnit(perUnit))
          .withConfidence(confidence)
          .withSampleRatioAlpha(srmAlpha);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(e.getMessage(), e);
    }
    List<Outcome> observed = Outcomes.read(outcomes.file, outcomes.columns(unitColumn));
    Assignments assignments;
    try (PredictionLogReader reader = Components.openPredictionLogReader(config.toConfig())) {
      assignments = reader.assignments(experiment);
    }
    ExperimentReport report = ExperimentAnalysis.analyze(experiment, assignments, observed, options);
    spec.commandLine().getOut().print(
        json ? ExperimentReportPrinter.json(report) : ExperimentReportPrinter.table(report));
    spec.commandLine().getOut().flush();
  }

  /**
   * The weights of the experiment as the registry defines it now, in declaration order, or none when the registry
   * does not define it (an experiment removed since still has its log; the sample-ratio check is then skipped
   * unless --weights is given).
   */
  private Map<String, Double> registeredWeights() {
    Map<String, Double> registered = new LinkedHashMap<>();
    try (Registry registry = Components.openRegistry(config.toConfig())) {
      registry.current().definitions().experiment(experiment).ifPresent(defined -> defined.variants()
          .forEach(variant -> registered.put(variant.name(), (double) variant.weight())));
    }
    return registered;
  }

  private static AnalysisOptions.PerUnit parsePerUnit(String text) {
    try {
      return AnalysisOptions.PerUnit.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("Cannot use --per-unit '" + text + "': expected mean or sum");
    }
  }
}
