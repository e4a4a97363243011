package dev.featurestore.deploy.cli;

import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.deploy.server.Components;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.offline.TrainingSetOptions;
import dev.featurestore.offline.TrainingSetRequest;
import dev.featurestore.offline.TrainingSetResult;
import dev.featurestore.registry.Registry;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "training-set", mixinStandardHelpOptions = true,
    description = {
      "Builds a point-in-time correct training set as a Parquet file.",
      "For each entity row (join keys, event_timestamp, any other columns) each feature gets the value of the "
          + "newest row with event_timestamp <= the entity row's, within the view's TTL (ties: larger "
          + "created_timestamp, then latest write); none: null. Every entity row is kept, in input order, with all "
          + "its columns."
    })
final class TrainingSetCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Option(names = {"-e", "--entities"}, required = true, paramLabel = "FILE",
      description = "Entity rows: a .parquet or .csv file with join keys and event_timestamp.")
  Path entities;

  @ArgGroup(exclusive = true, multiplicity = "1")
  FeatureSelectionOptions selection;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The Parquet file to write.")
  Path output;

  @Option(names = "--full-names", description = "Name every feature column view__feature.")
  boolean fullNames;

  @Option(names = "--as-known-at",
      description = "Only use rows written by each entity row's time (created_timestamp <= t), so that late "
          + "backfills cannot leak the future.")
  boolean asKnownAt;

  @Option(names = "--memory-mb", paramLabel = "MIB", defaultValue = "512",
      description = "Memory the join's sorts may buffer before they spill sorted runs to disk (default: "
          + "${DEFAULT-VALUE} MiB). The JVM heap (JAVA_OPTS=-Xmx...) should be about twice this.")
  long memoryMb;

  @Option(names = "--spill-dir", paramLabel = "DIR",
      description = "Where the join spills sorted runs (default: the system's temporary directory); deleted after.")
  Path spillDir;

  @Override
  public void run() {
    FeatureStoreConfig cfg = config.toConfig();
    TrainingSetRequest request = selection.isService()
        ? TrainingSetRequest.forService(entities, selection.service, output)
        : TrainingSetRequest.forFeatures(entities, selection.refs(),
            output);
    request = request
        .withNaming(fullNames ? FeatureNaming.FULL : FeatureNaming.SHORT)
        .withVisibility(asKnownAt ? TrainingSetRequest.Visibility.AS_KNOWN_AT
            : TrainingSetRequest.Visibility.ALL_WRITES);
    try (Registry registry = Components.openRegistry(cfg);
        OfflineStore offline = Components.openOfflineStore(cfg, trainingSetOptions());
        TerminalProgress progress = new TerminalProgress("training set", "rows")) {
      TrainingSetResult result = offline.trainingSet(registry.current().definitions(), request, progress::update);
      progress.finish(out(), String.format("wrote %,d rows to %s in %.2f s (snapshots %s%s)",
          result.rows(), result.output(), result.seconds(), result.snapshotIds(),
          result.spilledRuns() == 0 ? "" : "; spilled " + result.spilledRuns() + " sorted runs to disk"));
    }
  }

  private TrainingSetOptions trainingSetOptions() {
    if (memoryMb < 1) {
      throw new ParameterException(spec.commandLine(), "Cannot use --memory-mb " + memoryMb + ": it must be at least 1");
    }
    TrainingSetOptions.Builder options = TrainingSetOptions.builder().memoryBudgetBytes(memoryMb << 20);
    if (spillDir != null) {
      options.spillDirectory(spillDir);
    }
    return options.build();
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
