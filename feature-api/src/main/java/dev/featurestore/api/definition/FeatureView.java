package dev.featurestore.api.definition;

import dev.featurestore.api.error.InvalidRequestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A named group of typed features keyed by one or more entities, with a time to live and a source. Immutable;
 * build with {@link #builder(String)}.
 *
 * <p>The view's row key is the join keys of its entities, in entity order; {@link Definitions#joinKeys} resolves
 * them. A TTL of {@link Duration#ZERO} means no limit: a value never ages out.
 */
public record FeatureView(
    String name,
    List<String> entities,
    List<Feature> features,
    Duration ttl,
    Source source,
    Map<String, String> tags,
    String owner,
    String description) {

  public FeatureView {
    Names.check(name, "feature view");
    entities = List.copyOf(entities);
    features = List.copyOf(features);
    Objects.requireNonNull(ttl, "ttl");
    source = source == null ? Source.batchFile("") : source;
    tags = Map.copyOf(tags == null ? Map.of() : tags);
    owner = owner == null ? "" : owner;
    description = description == null ? "" : description;
    if (entities.isEmpty()) {
      throw new InvalidRequestException("Cannot define feature view '" + name + "': it needs at least one entity");
    }
    if (new HashSet<>(entities).size() != entities.size()) {
      throw new InvalidRequestException("Cannot define feature view '" + name + "': an entity is listed twice");
    }
    if (features.isEmpty()) {
      throw new InvalidRequestException("Cannot define feature view '" + name + "': it needs at least one feature");
    }
    Set<String> seen = new HashSet<>();
    for (Feature feature : features) {
      if (!seen.add(feature.name())) {
        throw new InvalidRequestException(
            "Cannot define feature view '" + name + "': feature '" + feature.name() + "' appears twice");
      }
    }
    if (ttl.isNegative()) {
      throw new InvalidRequestException(
          "Cannot define feature view '" + name + "': ttl " + ttl + " is negative (0 means no limit)");
    }
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public Builder toBuilder() {
    Builder builder = new Builder(name);
    builder.entities.addAll(entities);
    builder.features.addAll(features);
    builder.ttl = ttl;
    builder.source = source;
    builder.tags.putAll(tags);
    builder.owner = owner;
    builder.description = description;
    return builder;
  }

  public Optional<Feature> feature(String featureName) {
    for (Feature feature : features) {
      if (feature.name().equals(featureName)) {
        return Optional.of(feature);
      }
    }
    return Optional.empty();
  }

  /** Whether rows of this view ever age out. */
  public boolean hasTtl() {
    return !ttl.isZero();
  }

  /** TTL in microseconds, 0 for no limit. */
  public long ttlMicros() {
    return ttl.toNanos() / 1_000;
  }

  /** Builds a {@link FeatureView}; not thread-safe. */
  public static final class Builder {
    private final String name;
    private final List<String> entities = new ArrayList<>();
    private final List<Feature> features = new ArrayList<>();
    private Duration ttl = Duration.ZERO;
    private Source source = Source.batchFile("");
    private final Map<String, String> tags = new LinkedHashMap<>();
    private String owner = "";
    private String description = "";

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    public Builder entity(String entity) {
      entities.add(Objects.requireNonNull(entity, "entity"));
      return this;
    }

    public Builder entities(List<String> names) {
      names.forEach(this::entity);
      return this;
    }

    public Builder feature(Feature feature) {
      features.add(Objects.requireNonNull(feature, "feature"));
      return this;
    }

    public Builder feature(String featureName, dev.featurestore.api.ValueType type) {
      return feature(Feature.of(featureName, type));
    }

    public Builder features(List<Feature> list) {
      list.forEach(this::feature);
      return this;
    }

    /** Time to live; {@link Duration#ZERO} (the default) for no limit. */
    public Builder ttl(Duration ttl) {
      this.ttl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    public Builder source(Source source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    public Builder tag(String key, String value) {
      tags.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder owner(String owner) {
      this.owner = Objects.requireNonNull(owner, "owner");
      return this;
    }

    public Builder description(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    public FeatureView build() {
      return new FeatureView(name, entities, features, ttl, source, tags, owner, description);
    }
  }
}
