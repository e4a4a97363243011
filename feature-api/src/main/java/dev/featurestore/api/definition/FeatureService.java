package dev.featurestore.api.definition;

import dev.featurestore.api.error.InvalidRequestException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** A named list of feature references: what one model consumes. Immutable. */
public record FeatureService(
    String name, List<FeatureRef> features, String description, Map<String, String> tags, String owner) {

  public FeatureService {
    Names.check(name, "feature service");
    features = List.copyOf(features);
    if (features.isEmpty()) {
      throw new InvalidRequestException("Cannot define feature service '" + name + "': it lists no features");
    }
    if (new LinkedHashSet<>(features).size() != features.size()) {
      throw new InvalidRequestException("Cannot define feature service '" + name + "': a reference is listed twice");
    }
    description = description == null ? "" : description;
    tags = Map.copyOf(tags == null ? Map.of() : tags);
    owner = owner == null ? "" : owner;
  }

  public static FeatureService of(String name, FeatureRef... features) {
    return new FeatureService(name, List.of(features), "", Map.of(), "");
  }

  public FeatureService withDescription(String description) {
    return new FeatureService(name, features, description, tags, owner);
  }
}
