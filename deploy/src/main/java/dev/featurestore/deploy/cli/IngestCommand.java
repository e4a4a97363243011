package dev.featurestore.deploy.cli;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.deploy.server.Components;
import dev.featurestore.offline.IngestResult;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.registry.Registry;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = {
      "Appends a Parquet or CSV file to a feature view's Iceberg table, in one commit.",
      "The file needs every join key of the view and event_timestamp; created_timestamp defaults to now; feature "
          + "columns may be missing (null). The whole file is checked against the view's schema in the registry "
          + "first: a bad value is refused with its row and column, and nothing is written."
    })
final class IngestCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Option(names = {"-v", "--view"}, required = true, paramLabel = "VIEW", description = "The feature view.")
  String view;

  @Parameters(index = "0", paramLabel = "FILE", description = "A .parquet or .csv file.")
  Path file;

  @Override
  public void run() {
    FeatureStoreConfig cfg = config.toConfig();
    try (Registry registry = Components.openRegistry(cfg);
        OfflineStore offline = Components.openOfflineStore(cfg);
        TerminalProgress progress = new TerminalProgress("ingest " + view, "rows")) {
      Definitions definitions = registry.current().definitions();
      IngestResult result = offline.ingest(definitions, view, file, progress::update);
      progress.finish(out(), String.format("ingested %,d rows into '%s' in %.2f s (snapshot %d)",
          result.rows(), view, result.seconds(), result.snapshotId()));
    }
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
