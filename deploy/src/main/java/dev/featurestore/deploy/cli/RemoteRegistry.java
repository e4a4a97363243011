package dev.featurestore.deploy.cli;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.registry.ApplyResult;
import dev.featurestore.registry.ObjectChange;
import dev.featurestore.registry.Plan;
import dev.featurestore.registry.RegistrySnapshot;
import dev.featurestore.sdk.ApplyOutcome;
import dev.featurestore.sdk.BlockingFeatureStoreClient;
import dev.featurestore.sdk.DefinitionChange;
import dev.featurestore.sdk.DefinitionsPlan;
import java.time.Instant;
import java.util.List;

/** Plan and apply through a running server's registry, with the SDK client, in the registry's own terms. */
final class RemoteRegistry {
  private RemoteRegistry() {}

  static Plan plan(ConfigOptions config, Definitions definitions) {
    try (BlockingFeatureStoreClient client = BlockingFeatureStoreClient.connect(config.host, config.port)) {
      DefinitionsPlan plan = client.plan(definitions);
      return new Plan(plan.baseVersion(), changes(plan.changes()), plan.violations());
    }
  }

  static ApplyResult apply(ConfigOptions config, Definitions definitions, long expectedVersion) {
    try (BlockingFeatureStoreClient client = BlockingFeatureStoreClient.connect(config.host, config.port)) {
      ApplyOutcome outcome = client.apply(definitions, expectedVersion);
      return new ApplyResult(new RegistrySnapshot(outcome.version(), definitions, Instant.now()),
          changes(outcome.changes()));
    }
  }

  private static List<ObjectChange> changes(List<DefinitionChange> changes) {
    return changes.stream()
        .map(c -> new ObjectChange(
            ObjectChange.Action.valueOf(c.action().name()),
            ObjectChange.Kind.valueOf(c.kind().name()),
            c.name(),
            c.fields().stream()
                .map(f -> new ObjectChange.FieldChange(f.field(), f.oldValue(), f.newValue()))
                .toList()))
        .toList();
  }
}
