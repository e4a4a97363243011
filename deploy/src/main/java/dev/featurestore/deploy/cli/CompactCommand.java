package dev.featurestore.deploy.cli;

import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.deploy.server.Components;
import dev.featurestore.offline.CompactionOptions;
import dev.featurestore.offline.CompactionResult;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.registry.Registry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "compact", mixinStandardHelpOptions = true,
    description = {
      "Merges small data files of each view's Iceberg table (pushes and small ingests leave many) into larger ones.",
      "Per day partition, runs of consecutive small files are rewritten in one commit each; no row changes, "
          + "appends committed meanwhile are kept, and older snapshots still read as before until they expire."
    })
final class CompactCommand implements Runnable {
  private static final long MIB = 1L << 20;

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Mixin
  ViewSelection selection;

  @Option(names = "--small-file-mb", paramLabel = "MB", defaultValue = "32",
      description = "Files smaller than this many MiB are merged (default: ${DEFAULT-VALUE}).")
  long smallFileMb;

  @Option(names = "--target-file-mb", paramLabel = "MB", defaultValue = "128",
      description = "A merged file holds at most this many MiB of input (default: ${DEFAULT-VALUE}).")
  long targetFileMb;

  @Option(names = "--min-input-files", paramLabel = "N", defaultValue = "2",
      description = "Merge a run of small files only when it has at least N files (default: ${DEFAULT-VALUE}).")
  int minInputFiles;

  @Override
  public void run() {
    FeatureStoreConfig cfg = config.toConfig();
    CompactionOptions options =
        new CompactionOptions(smallFileMb * MIB, targetFileMb * MIB, minInputFiles);
    try (Registry registry = Components.openRegistry(cfg);
        OfflineStore offline = Components.openOfflineStore(cfg)) {
      for (String view : selection.resolve(registry.current().definitions())) {
        CompactionResult result = offline.compact(view, options);
        spec.commandLine().getOut().printf(
            "compacted '%s': %,d files -> %,d (%,d small files merged into %,d, %,d rows) in %.2f s%n", view,
            result.filesBefore(), result.filesAfter(), result.filesRewritten(), result.filesWritten(),
            result.rowsRewritten(), result.seconds());
      }
    }
  }
}
