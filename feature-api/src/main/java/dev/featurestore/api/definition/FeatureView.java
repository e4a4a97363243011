package dev.featurestore.api.definition;

import dev.featurestore.api.error.InvalidRequestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A named group of typed features keyed by one or more entities, with a time to live and a source. Immutable, with
 * value equality over its components; build with {@link #builder(String)}.
 *
 * <p>The view's row key is the join keys of its entities, in entity order; {@link Definitions#joinKeys} resolves
 * them. A TTL of {@link Duration#ZERO} means no limit: a value never ages out.
 *
 * <p>A class rather than a record only so that it can keep an index of its features by name: {@link #feature} is on
 * the hot path of every online read (once per stored feature when decoding, once per requested reference when
 * resolving), and a linear search made decoding a 250-feature row quadratic.
 */
public final class FeatureView {
  private final String name;
  private final List<String> entities;
  private final List<Feature> features;
  private final Duration ttl;
  private final Source source;
  private final Map<String, String> tags;
  private final String owner;
  private final String description;
  private final Map<String, Integer> positions;

  public FeatureView(
      String name,
      List<String> entities,
      List<Feature> features,
      Duration ttl,
      Source source,
      Map<String, String> tags,
      String owner,
      String description) {
    Names.check(name, "feature view");
    this.name = name;
    this.entities = List.copyOf(entities);
    this.features = List.copyOf(features);
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.source = source == null ? Source.batchFile("") : source;
    this.tags = Map.copyOf(tags == null ? Map.of() : tags);
    this.owner = owner == null ? "" : owner;
    this.description = description == null ? "" : description;
    if (this.entities.isEmpty()) {
      throw new InvalidRequestException("Cannot define feature view '" + name + "': it needs at least one entity");
    }
    if (new HashSet<>(this.entities).size() != this.entities.size()) {
      throw new InvalidRequestException("Cannot define feature view '" + name + "': an entity is listed twice");
    }
    if (this.features.isEmpty()) {
      throw new InvalidRequestException("Cannot define feature view '" + name + "': it needs at least one feature");
    }
    Map<String, Integer> byName = new HashMap<>(this.features.size() * 2);
    for (int i = 0; i < this.features.size(); i++) {
      if (byName.put(this.features.get(i).name(), i) != null) {
        throw new InvalidRequestException(
            "Cannot define feature view '" + name + "': feature '" + this.features.get(i).name() + "' appears twice");
      }
    }
    this.positions = Collections.unmodifiableMap(byName);
    if (ttl.isNegative()) {
      throw new InvalidRequestException(
          "Cannot define feature view '" + name + "': ttl " + ttl + " is negative (0 means no limit)");
    }
  }

  public String name() {
    return name;
  }

  /** Names of the entities the view is keyed by, in key order. */
  public List<String> entities() {
    return entities;
  }

  /** The features, in declaration order. */
  public List<Feature> features() {
    return features;
  }

  /** Time to live; {@link Duration#ZERO} for no limit. */
  public Duration ttl() {
    return ttl;
  }

  public Source source() {
    return source;
  }

  public Map<String, String> tags() {
    return tags;
  }

  public String owner() {
    return owner;
  }

  public String description() {
    return description;
  }

  @Override
  public boolean equals(Object other) {
    return this == other || other instanceof FeatureView view
        && name.equals(view.name) && entities.equals(view.entities) && features.equals(view.features)
        && ttl.equals(view.ttl) && source.equals(view.source) && tags.equals(view.tags) && owner.equals(view.owner)
        && description.equals(view.description);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, entities, features, ttl, source, tags, owner, description);
  }

  @Override
  public String toString() {
    return "FeatureView[name=" + name + ", entities=" + entities + ", features=" + features + ", ttl=" + ttl
        + ", source=" + source + ", tags=" + tags + ", owner=" + owner + ", description=" + description + "]";
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

  /** The feature of that name, in constant time. */
  public Optional<Feature> feature(String featureName) {
    int position = indexOf(featureName);
    return position < 0 ? Optional.empty() : Optional.of(features.get(position));
  }

  /** The position of the named feature in {@link #features()}, or -1 when the view has none of that name. */
  public int indexOf(String featureName) {
    Integer position = positions.get(featureName);
    return position == null ? -1 : position;
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
