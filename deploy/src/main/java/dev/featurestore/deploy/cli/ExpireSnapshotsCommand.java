package dev.featurestore.deploy.cli;

import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.deploy.server.Components;
import dev.featurestore.offline.ExpiryResult;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.offline.RetentionPolicy;
import dev.featurestore.registry.Registry;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "expire-snapshots", mixinStandardHelpOptions = true,
    description = {
      "Removes old snapshots from each view's Iceberg table, and the files only they referenced.",
      "Keeps every snapshot younger than --snapshot-max-age and the last --snapshot-retain-last ones: inside that "
          + "window training sets can still be rebuilt as of a snapshot (time travel). Keep the window longer than the "
          + "time between materialize-incremental runs, or the next run reads the whole table again."
    })
final class ExpireSnapshotsCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Mixin
  ViewSelection selection;

  @Override
  public void run() {
    FeatureStoreConfig cfg = config.toConfig();
    RetentionPolicy policy = cfg.tableCare().retention();
    try (Registry registry = Components.openRegistry(cfg);
        OfflineStore offline = Components.openOfflineStore(cfg)) {
      for (String view : selection.resolve(registry.current().definitions())) {
        ExpiryResult result = offline.expireSnapshots(view, policy);
        String oldest = result.oldestKeptMicros() < 0 ? "none"
            : Instant.EPOCH.plusNanos(result.oldestKeptMicros() * 1_000L).toString();
        spec.commandLine().getOut().printf(
            "expired %,d of %,d snapshots of '%s' (kept: younger than %s and the last %d; oldest kept %s) in %.2f s%n",
            result.snapshotsExpired(), result.snapshotsBefore(), view, policy.maxAge(), policy.retainLast(), oldest,
            result.seconds());
      }
    }
  }
}
