package dev.featurestore.sdk;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.Experiment;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.error.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The entry point for declaring a team's definitions in Java: collects entities, feature views, feature services,
 * model versions and experiments and produces a validated {@link Definitions}, the unit that {@link FeatureStoreClient#apply} makes the registry
 * hold.
 *
 * <pre>{@code
 * Definitions definitions = FeatureRepo.builder()
 *     .entity(Entity.of("user", JoinKey.of("user_id", ValueType.INT64)))
 *     .view(FeatureView.builder("user_stats").entity("user").feature("txn_count_7d", ValueType.INT64)
 *         .ttl(Duration.ofDays(1)).source(Source.push()).build())
 *     .service(FeatureService.of("fraud_model", FeatureRef.allOf("user_stats")))
 *     .build();
 * }</pre>
 */
public final class FeatureRepo {
  private FeatureRepo() {}

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from existing definitions, for example ones read with {@link DefinitionsYaml}. */
  public static Builder builder(Definitions base) {
    return new Builder().include(base);
  }

  /**
   * Collects definitions in declaration order; {@link #build()} validates them all at once. Not thread-safe; each
   * {@code build()} returns an independent immutable result.
   */
  public static final class Builder {
    private final List<Entity> entities = new ArrayList<>();
    private final List<FeatureView> views = new ArrayList<>();
    private final List<FeatureService> services = new ArrayList<>();
    private final List<Model> models = new ArrayList<>();
    private final List<Experiment> experiments = new ArrayList<>();

    private Builder() {}

    public Builder entity(Entity entity) {
      entities.add(Objects.requireNonNull(entity, "entity"));
      return this;
    }

    public Builder entities(Entity... list) {
      for (Entity entity : list) {
        entity(entity);
      }
      return this;
    }

    public Builder view(FeatureView view) {
      views.add(Objects.requireNonNull(view, "view"));
      return this;
    }

    /** Adds the view a builder describes, so that a declaration needs no trailing {@code build()}. */
    public Builder view(FeatureView.Builder view) {
      return view(Objects.requireNonNull(view, "view").build());
    }

    public Builder views(FeatureView... list) {
      for (FeatureView view : list) {
        view(view);
      }
      return this;
    }

    public Builder service(FeatureService service) {
      services.add(Objects.requireNonNull(service, "service"));
      return this;
    }

    public Builder services(FeatureService... list) {
      for (FeatureService service : list) {
        service(service);
      }
      return this;
    }

    /** Adds a model version (immutable once applied: change it by adding the next version). */
    public Builder model(Model model) {
      models.add(Objects.requireNonNull(model, "model"));
      return this;
    }

    public Builder experiment(Experiment experiment) {
      experiments.add(Objects.requireNonNull(experiment, "experiment"));
      return this;
    }

    /** Adds every entity, view, service, model and experiment of {@code definitions} (for example a shared file of entities). */
    public Builder include(Definitions definitions) {
      Objects.requireNonNull(definitions, "definitions");
      entities.addAll(definitions.entities());
      views.addAll(definitions.featureViews());
      services.addAll(definitions.featureServices());
      models.addAll(definitions.models());
      experiments.addAll(definitions.experiments());
      return this;
    }

    /**
     * The validated definitions.
     *
     * @throws InvalidRequestException naming the object when a name is declared twice, a view names an undefined
     *     entity, a service references an undefined view or feature, a model's inputs do not match its feature
     *     service's types, or an experiment names an undefined model version
     */
    public Definitions build() {
      return new Definitions(entities, views, services, models, experiments);
    }
  }
}
