package dev.featurestore.deploy.cli;

import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.deploy.server.Components;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.offline.TrainingSetManifest;
import dev.featurestore.offline.TrainingSetOptions;
import dev.featurestore.offline.TrainingSetRequest;
import dev.featurestore.offline.TrainingSetResult;
import dev.featurestore.registry.Registry;
import dev.featurestore.registry.RegistrySnapshot;
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
          + "its columns.",
      "Beside the output goes a manifest (<output>.manifest.json, or --manifest-out): the request, the entity file's "
          + "sha256, the Iceberg snapshot of every view read, the registry version, the row count and a content hash. "
          + "--as-of MANIFEST builds the same rows again, even after more data arrived."
    })
final class TrainingSetCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Option(names = {"-e", "--entities"}, paramLabel = "FILE",
      description = "Entity rows: a .parquet or .csv file with join keys and event_timestamp (required unless "
          + "--as-of).")
  Path entities;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  FeatureSelectionOptions selection;

  @Option(names = "--as-of", paramLabel = "MANIFEST",
      description = "Build exactly the training set of this manifest again: its entity file (which must be "
          + "unchanged), features, naming and visibility, the Iceberg snapshots it read and the definitions of its "
          + "registry version. Snapshots removed by expire-snapshots cannot be read any more.")
  Path asOf;

  @Option(names = "--manifest-out", paramLabel = "FILE",
      description = "Where to write the manifest (default: <output>.manifest.json).")
  Path manifestOut;

  @Option(names = "--to-table", paramLabel = "NAME",
      description = "Also save the rows as the new Iceberg table training.NAME in the warehouse, in one commit "
          + "(never replaces an existing table).")
  String toTable;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The Parquet file to write.")
  Path output;

  @Option(names = "--full-names", description = "Name every feature column view__feature.")
  boolean fullNames;

  @Option(names = "--as-known-at",
      description = "Only use rows written by each entity row's time (created_timestamp <= t), so that late "
          + "backfills cannot leak the future.")
  boolean asKnownAt;

  @Option(names = "--memory-mb", paramLabel = "MIB",
      description = "Memory the join's sorts may buffer before they spill sorted runs to disk (default: half the "
          + "JVM's maximum heap, at least 512 MiB; JAVA_OPTS=-Xmx... sets the heap, which should be about twice this).")
  Long memoryMb;

  @Option(names = "--spill-dir", paramLabel = "DIR",
      description = "Where the join spills sorted runs (default: the system's temporary directory); deleted after.")
  Path spillDir;

  @Override
  public void run() {
    FeatureStoreConfig cfg = config.toConfig();
    TrainingSetManifest manifest = asOf == null ? null : manifest();
    try (Registry registry = Components.openRegistry(cfg);
        OfflineStore offline = Components.openOfflineStore(cfg, trainingSetOptions());
        TerminalProgress progress = new TerminalProgress("training set", "rows")) {
      RegistrySnapshot definitions = manifest == null || manifest.definitionsVersion() == 0
          ? registry.current() : registry.version(manifest.definitionsVersion());
      TrainingSetRequest request = (manifest == null ? newRequest() : manifest.toRequest(output))
          .withDefinitionsVersion(definitions.version())
          .withTable(toTable)
          .withManifestOutput(manifestOut);
      TrainingSetResult result = offline.trainingSet(definitions.definitions(), request, progress::update);
      progress.finish(out(), String.format("wrote %,d rows to %s in %.2f s (snapshots %s%s)%n"
              + "content hash %s; manifest %s (registry version %d)%s",
          result.rows(), result.output(), result.seconds(), result.snapshotIds(),
          (result.spilledRuns() == 0 ? "" : "; spilled " + result.spilledRuns() + " sorted runs to disk")
              + (result.keyPasses() <= 1 ? "" : "; read a view's keys in " + result.keyPasses() + " passes to fit"
                  + " the memory budget"),
          result.manifest().contentHash(), result.manifestPath(), definitions.version(),
          result.manifest().table() == null ? "" : String.format("%nsaved as table %s (snapshot %s)",
              result.manifest().table(), result.manifest().tableSnapshotId())));
      if (manifest != null && !manifest.contentHash().equals(result.manifest().contentHash())) {
        throw new IllegalStateException("Cannot reproduce the training set of '" + asOf + "': content hash "
            + result.manifest().contentHash() + " differs from the manifest's " + manifest.contentHash());
      }
    }
  }

  private TrainingSetRequest newRequest() {
    if (entities == null || selection == null) {
      throw new ParameterException(spec.commandLine(),
          "Cannot build training set: give --entities and --features or --service (or --as-of MANIFEST)");
    }
    TrainingSetRequest request = selection.isService()
        ? TrainingSetRequest.forService(entities, selection.service, output)
        : TrainingSetRequest.forFeatures(entities, selection.refs(), output);
    return request
        .withNaming(fullNames ? FeatureNaming.FULL : FeatureNaming.SHORT)
        .withVisibility(asKnownAt ? TrainingSetRequest.Visibility.AS_KNOWN_AT
            : TrainingSetRequest.Visibility.ALL_WRITES);
  }

  private TrainingSetManifest manifest() {
    if (entities != null || selection != null || fullNames || asKnownAt) {
      throw new ParameterException(spec.commandLine(), "Cannot use --as-of '" + asOf + "' with --entities, "
          + "--features, --service, --full-names or --as-known-at: the manifest says them");
    }
    return TrainingSetManifest.read(asOf);
  }

  private TrainingSetOptions trainingSetOptions() {
    if (memoryMb != null && memoryMb < 1) {
      throw new ParameterException(spec.commandLine(), "Cannot use --memory-mb " + memoryMb + ": it must be at least 1");
    }
    long budget = memoryMb == null ? TrainingSetOptions.oneAtATimeBudget() : memoryMb << 20;
    TrainingSetOptions.Builder options = TrainingSetOptions.builder().memoryBudgetBytes(budget);
    if (spillDir != null) {
      options.spillDirectory(spillDir);
    }
    return options.build();
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
