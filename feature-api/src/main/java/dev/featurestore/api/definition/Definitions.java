package dev.featurestore.api.definition;

import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A consistent set of definitions: every name unique within its kind, every entity a view names defined, no join
 * key that two of a view's entities share or that a feature reuses, every feature reference of a service
 * resolvable, every model's inputs served by its feature service with the declared types, every model version of
 * an experiment defined and reading one feature service. An instance that exists is valid. Immutable and
 * thread-safe.
 */
public record Definitions(
    List<Entity> entities,
    List<FeatureView> featureViews,
    List<FeatureService> featureServices,
    List<Model> models,
    List<Experiment> experiments) {

  public static final Definitions EMPTY = new Definitions(List.of(), List.of(), List.of());

  /** Definitions without models and experiments. */
  public Definitions(
      List<Entity> entities, List<FeatureView> featureViews, List<FeatureService> featureServices) {
    this(entities, featureViews, featureServices, List.of(), List.of());
  }

  public Definitions {
    entities = List.copyOf(entities);
    featureViews = List.copyOf(featureViews);
    featureServices = List.copyOf(featureServices);
    models = List.copyOf(models);
    experiments = List.copyOf(experiments);
    Map<String, Entity> entityIndex = index(entities, Entity::name, "entity");
    Map<String, FeatureView> viewIndex = index(featureViews, FeatureView::name, "feature view");
    index(featureServices, FeatureService::name, "feature service");
    for (FeatureView view : featureViews) {
      Set<String> columns = new HashSet<>();
      for (String entityName : view.entities()) {
        Entity entity = entityIndex.get(entityName);
        if (entity == null) {
          throw new InvalidRequestException(
              "Cannot define feature view '" + view.name() + "': entity '" + entityName + "' is not defined");
        }
        for (JoinKey key : entity.joinKeys()) {
          if (!columns.add(key.name())) {
            throw new InvalidRequestException(
                "Cannot define feature view '" + view.name() + "': join key '" + key.name()
                    + "' belongs to more than one of its entities");
          }
        }
      }
      for (Feature feature : view.features()) {
        if (columns.contains(feature.name())) {
          throw new InvalidRequestException(
              "Cannot define feature view '" + view.name() + "': feature '" + feature.name()
                  + "' has the name of a join key");
        }
      }
    }
    for (FeatureService service : featureServices) {
      for (FeatureRef ref : service.features()) {
        FeatureView view = viewIndex.get(ref.view());
        if (view == null || (!ref.isWholeView() && view.feature(ref.feature()).isEmpty())) {
          throw new InvalidRequestException(
              "Cannot define feature service '" + service.name() + "': reference '" + ref + "' names "
                  + (view == null ? "no defined feature view" : "no feature of view '" + view.name() + "'"));
        }
      }
    }
    if (!models.isEmpty() || !experiments.isEmpty()) {
      // Fields are assigned only after a compact constructor, so the checks look at a copy without the models.
      ModelChecks.check(new Definitions(entities, featureViews, featureServices), models, experiments);
    }
  }

  /** The model of this name and version, if defined. */
  public Optional<Model> model(String name, int version) {
    return models.stream().filter(m -> m.name().equals(name) && m.version() == version).findFirst();
  }

  /** The highest defined version of a model, if any. */
  public Optional<Model> latestModel(String name) {
    return models.stream().filter(m -> m.name().equals(name)).max(java.util.Comparator.comparingInt(Model::version));
  }

  /**
   * The model of this name and version, or its highest version when {@code version} is 0.
   *
   * @throws NotFoundException naming the model and version when it is not defined
   */
  public Model requireModel(String name, int version) {
    Optional<Model> found = version == 0 ? latestModel(name) : model(name, version);
    return found.orElseThrow(() -> {
      List<Integer> defined = models.stream().filter(m -> m.name().equals(name)).map(Model::version).sorted().toList();
      return new NotFoundException("Cannot find model '" + name + "'" + (version == 0 ? "" : " version " + version)
          + ": " + (defined.isEmpty() ? "it is not defined" : "the defined versions are " + defined));
    });
  }

  public Optional<Experiment> experiment(String name) {
    return experiments.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  /** @throws NotFoundException naming the experiment when it is not defined */
  public Experiment requireExperiment(String name) {
    return experiment(name)
        .orElseThrow(() -> new NotFoundException("Cannot find experiment '" + name + "': it is not defined"));
  }

  public Optional<Entity> entity(String name) {
    return entities.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  public Optional<FeatureView> view(String name) {
    return featureViews.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  public Optional<FeatureService> service(String name) {
    return featureServices.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** @throws NotFoundException naming the view when it is not defined */
  public FeatureView requireView(String name) {
    return view(name)
        .orElseThrow(() -> new NotFoundException("Cannot find feature view '" + name + "': it is not defined"));
  }

  /** @throws NotFoundException naming the service when it is not defined */
  public FeatureService requireService(String name) {
    return service(name)
        .orElseThrow(() -> new NotFoundException("Cannot find feature service '" + name + "': it is not defined"));
  }

  /** The row key of a view: the join keys of its entities, in entity order. */
  public List<JoinKey> joinKeys(FeatureView view) {
    List<JoinKey> keys = new ArrayList<>();
    for (String entityName : view.entities()) {
      keys.addAll(entity(entityName).orElseThrow().joinKeys());
    }
    return List.copyOf(keys);
  }

  /**
   * Resolves feature references into the columns to serve, in reference order, {@code view:*} expanded in
   * declaration order, duplicates dropped.
   *
   * @throws NotFoundException naming the view or feature that is not defined
   */
  public FeatureSelection select(List<FeatureRef> refs, FeatureNaming naming) {
    if (refs.isEmpty()) {
      throw new InvalidRequestException("Cannot select features: no feature reference was given");
    }
    List<FeatureSelection.Column> columns = new ArrayList<>();
    Set<FeatureRef> seen = new HashSet<>();
    for (FeatureRef ref : refs) {
      FeatureView view = requireView(ref.view());
      List<Feature> features;
      if (ref.isWholeView()) {
        features = view.features();
      } else {
        Feature feature = view.feature(ref.feature())
            .orElseThrow(() -> new NotFoundException(
                "Cannot find feature '" + ref + "': view '" + view.name() + "' has no feature '" + ref.feature()
                    + "'"));
        features = List.of(feature);
      }
      for (Feature feature : features) {
        if (seen.add(FeatureRef.of(view.name(), feature.name()))) {
          columns.add(new FeatureSelection.Column(view, feature, feature.name()));
        }
      }
    }
    return FeatureSelection.named(columns, joinKeysByView(columns), naming);
  }

  /**
   * Resolves the features of a feature service.
   *
   * @throws NotFoundException naming the service when it is not defined
   */
  public FeatureSelection selectService(String serviceName, FeatureNaming naming) {
    return select(requireService(serviceName).features(), naming);
  }

  private Map<String, List<JoinKey>> joinKeysByView(List<FeatureSelection.Column> columns) {
    Map<String, List<JoinKey>> keys = new LinkedHashMap<>();
    for (FeatureSelection.Column column : columns) {
      keys.computeIfAbsent(column.view().name(), name -> joinKeys(column.view()));
    }
    return keys;
  }

  private static <T> Map<String, T> index(List<T> items, Function<T, String> name, String kind) {
    Map<String, T> index = new LinkedHashMap<>();
    for (T item : items) {
      if (index.put(name.apply(item), item) != null) {
        throw new InvalidRequestException("Cannot define " + kind + " '" + name.apply(item) + "' twice");
      }
    }
    return index;
  }
}
