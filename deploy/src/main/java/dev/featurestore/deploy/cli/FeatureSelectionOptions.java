package dev.featurestore.deploy.cli;

import dev.featurestore.api.definition.FeatureRef;
import java.util.List;
import picocli.CommandLine.Option;

/** Which features a command reads: references or a feature service, exactly one of the two. */
final class FeatureSelectionOptions {
  @Option(names = {"-f", "--features"}, split = ",", paramLabel = "VIEW:FEATURE",
      description = "Feature references, comma separated (view:feature or view:*).")
  List<String> features;

  @Option(names = {"-s", "--service"}, paramLabel = "SERVICE", description = "A feature service.")
  String service;

  boolean isService() {
    return service != null;
  }

  List<FeatureRef> refs() {
    return features.stream().map(FeatureRef::parse).toList();
  }
}
