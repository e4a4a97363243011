package dev.featurestore.deploy.cli;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.deploy.server.Components;
import dev.featurestore.offline.MaterializeResult;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.registry.Registry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "materialize", mixinStandardHelpOptions = true,
    description = {
      "Copies the newest row per key of a time range from the offline tier to the online tier.",
      "Writes are event-time-wins, so re-running a range, or racing with pushes, never regresses a value. With the "
          + "embedded default the online store lives in the running server (fstore serve), which this command "
          + "joins as a Hazelcast client."
    })
final class MaterializeCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Option(names = "--start", defaultValue = "now-365d", paramLabel = "TIME",
      description = "Range start, inclusive: ISO-8601 instant, now or now-30d (default: ${DEFAULT-VALUE}).")
  String start;

  @Option(names = "--end", defaultValue = "now", paramLabel = "TIME",
      description = "Range end, exclusive (default: ${DEFAULT-VALUE}).")
  String end;

  @Option(names = {"-v", "--views"}, split = ",", paramLabel = "VIEW",
      description = "Views to materialize, comma separated (default: all).")
  List<String> views;

  @Override
  public void run() {
    FeatureStoreConfig cfg = config.toConfig();
    Clock clock = Clock.systemUTC();
    Instant from = Timestamps.parse(start, "--start", clock);
    Instant to = Timestamps.parse(end, "--end", clock);
    try (Registry registry = Components.openRegistry(cfg);
        OfflineStore offline = Components.openOfflineStore(cfg);
        OnlineStore online = Components.openOnlineStoreFromOutside(cfg)) {
      Definitions definitions = registry.current().definitions();
      List<String> names = views != null ? views
          : definitions.featureViews().stream().map(FeatureView::name).toList();
      for (String view : names) {
        definitions.requireView(view);
      }
      for (String view : names) {
        try (TerminalProgress progress = new TerminalProgress("materialize " + view, "keys")) {
          MaterializeResult result = offline.materialize(definitions, view, Timestamps.micros(from),
              Timestamps.micros(to), online, progress::update);
          progress.finish(out(), String.format(
              "materialized '%s': %,d keys from %,d rows in %.2f s", view, result.keysWritten(),
              result.rowsScanned(), result.seconds()));
        }
      }
    }
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
