package dev.featurestore.deploy.cli;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.deploy.server.Components;
import dev.featurestore.offline.IncrementalMaterializeResult;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.registry.Registry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "materialize-incremental", mixinStandardHelpOptions = true,
    description = {
      "Copies to the online tier what was committed to each view's Iceberg table since the last run.",
      "Reads the append snapshots after the view's watermark (kept in the registry), writes the newest row per key "
          + "(event-time-wins), then moves the watermark to the snapshot read. The first run, or a run whose watermark "
          + "snapshot has expired, reads the whole table. A failed run leaves the watermark: run it again."
    })
final class MaterializeIncrementalCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Mixin
  ViewSelection selection;

  @Override
  public void run() {
    FeatureStoreConfig cfg = config.toConfig();
    try (Registry registry = Components.openRegistry(cfg);
        OfflineStore offline = Components.openOfflineStore(cfg);
        OnlineStore online = Components.openOnlineStoreFromOutside(cfg)) {
      Definitions definitions = registry.current().definitions();
      for (String view : selection.resolve(definitions)) {
        try (TerminalProgress progress = new TerminalProgress("materialize " + view, "keys")) {
          IncrementalMaterializeResult result =
              offline.materializeIncremental(definitions, view, online, registry, progress::update);
          progress.finish(spec.commandLine().getOut(), summary(result));
        }
      }
    }
  }

  static String summary(IncrementalMaterializeResult result) {
    String view = result.viewName();
    String moved = String.format("%,d keys from %,d rows in %.2f s (%,.0f rows/s)", result.keysWritten(),
        result.rowsScanned(), result.seconds(), result.rowsScanned() / Math.max(result.seconds(), 1e-9));
    String watermark = result.watermarkAdvanced() ? "" : "; another run moved the watermark meanwhile";
    return switch (result.kind()) {
      case NO_DATA -> String.format("'%s' has no data yet", view);
      case UP_TO_DATE -> String.format("'%s' is up to date at snapshot %d", view, result.toSnapshotId());
      case FULL -> String.format("materialized '%s' in full up to snapshot %d: %s%s", view, result.toSnapshotId(),
          moved, watermark);
      case INCREMENTAL -> String.format("materialized '%s' from snapshot %d to %d: %s%s", view,
          result.fromSnapshotId(), result.toSnapshotId(), moved, watermark);
    };
  }
}
