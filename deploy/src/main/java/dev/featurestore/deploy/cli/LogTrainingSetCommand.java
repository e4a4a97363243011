package dev.featurestore.deploy.cli;

import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.deploy.server.Components;
import dev.featurestore.offline.predictions.LogTrainingSetRequest;
import dev.featurestore.offline.predictions.LogTrainingSetResult;
import dev.featurestore.offline.predictions.PredictionLogReader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "log-training-set", mixinStandardHelpOptions = true,
    description = {
      "Builds a training set from the prediction log: the features exactly as the model was served them, "
          + "labelled with outcomes, as a Parquet file.",
      "A logged row predicted at t for unit (or key) u gets the first outcome of u observed in [t, t + window] "
          + "(ties: first in the file); none: a null label, the row is kept. Outcomes before a prediction never "
          + "label it. Output: every log column (request_id, row_index, prediction_timestamp, model_version, "
          + "experiment, variant, unit, keys, features, score, defaulted, shadow_scores), then outcome_timestamp "
          + "and outcome; ordered by prediction time."
    })
final class LogTrainingSetCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "The logged model.")
  String model;

  @Mixin
  OutcomeFileOptions outcomes;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The Parquet file to write.")
  Path output;

  @Option(names = "--join-column", defaultValue = "unit", paramLabel = "NAME",
      description = "unit, or an integer or string key column of the log; the outcomes file names it the same "
          + "(default: ${DEFAULT-VALUE}).")
  String joinColumn;

  @Option(names = "--window", defaultValue = "P1D", paramLabel = "DURATION",
      description = "How long after a prediction an outcome still labels it, ISO-8601 (PT30M, P7D); PT0S for no "
          + "limit (default: ${DEFAULT-VALUE}).")
  Duration window;

  @Option(names = "--model-version", defaultValue = "0", paramLabel = "N",
      description = "Only rows of this model version; 0 for all (default: ${DEFAULT-VALUE}).")
  int modelVersion;

  @Option(names = "--start", paramLabel = "TIME",
      description = "Only predictions at or after this time: ISO-8601 instant, now or now-30d (default: all).")
  String start;

  @Option(names = "--end", paramLabel = "TIME",
      description = "Only predictions before this time; leave each row its whole window: now-1d with the default "
          + "window (default: all).")
  String end;

  @Override
  public void run() {
    Clock clock = Clock.systemUTC();
    long from = start == null ? Long.MIN_VALUE : Timestamps.micros(Timestamps.parse(start, "--start", clock));
    long to = end == null ? Long.MAX_VALUE : Timestamps.micros(Timestamps.parse(end, "--end", clock));
    LogTrainingSetRequest request;
    try {
      request = LogTrainingSetRequest.of(model, outcomes.file, output)
          .withOutcomeColumns(outcomes.columns(joinColumn))
          .withJoinColumn(joinColumn)
          .withWindow(window)
          .withModelVersion(modelVersion)
          .withTimeRange(from, to);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(e.getMessage(), e);
    }
    try (PredictionLogReader reader = Components.openPredictionLogReader(config.toConfig())) {
      LogTrainingSetResult result = reader.trainingSet(request);
      spec.commandLine().getOut().println(String.format(
          "wrote %,d rows (%,d with an outcome) to %s in %.2f s (snapshot %d of predictions.%s)",
          result.rows(), result.labelledRows(), result.output(), result.seconds(), result.snapshotId(), model));
    }
  }
}
