package dev.featurestore.registry;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.Experiment;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.api.definition.ModelVersion;
import dev.featurestore.api.definition.Source;
import dev.featurestore.registry.ObjectChange.Action;
import dev.featurestore.registry.ObjectChange.FieldChange;
import dev.featurestore.registry.ObjectChange.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The differences between two sets of definitions, field by field. Every field that the wire message carries is
 * compared, so an empty diff means the two would be stored alike (up to the order of objects, which means nothing).
 */
final class DefinitionDiff {
  private DefinitionDiff() {}

  /** Added, changed and removed objects: entities, views, services, models, experiments, each by name. */
  static List<ObjectChange> diff(Definitions before, Definitions after) {
    List<ObjectChange> changes = new ArrayList<>();
    diffKind(changes, Kind.ENTITY, before.entities(), after.entities(), Entity::name, DefinitionDiff::entity);
    diffKind(changes, Kind.FEATURE_VIEW, before.featureViews(), after.featureViews(), FeatureView::name,
        DefinitionDiff::view);
    diffKind(changes, Kind.FEATURE_SERVICE, before.featureServices(), after.featureServices(),
        FeatureService::name, DefinitionDiff::service);
    diffKind(changes, Kind.MODEL, before.models(), after.models(), m -> m.id().toString(), DefinitionDiff::model);
    diffKind(changes, Kind.EXPERIMENT, before.experiments(), after.experiments(), Experiment::name,
        DefinitionDiff::experiment);
    return changes;
  }

  /** Compares two versions of one object, adding the differing fields to {@code out}. */
  private interface FieldDiff<T> {
    void compare(T before, T after, List<FieldChange> out);
  }

  private static <T> void diffKind(
      List<ObjectChange> changes, Kind kind, List<T> before, List<T> after, Function<T, String> name,
      FieldDiff<T> fields) {
    Map<String, T> old = index(before, name);
    Map<String, T> neu = index(after, name);
    TreeSet<String> names = new TreeSet<>(old.keySet());
    names.addAll(neu.keySet());
    for (String objectName : names) {
      T b = old.get(objectName);
      T a = neu.get(objectName);
      if (b == null) {
        changes.add(new ObjectChange(Action.ADDED, kind, objectName, List.of()));
      } else if (a == null) {
        changes.add(new ObjectChange(Action.REMOVED, kind, objectName, List.of()));
      } else {
        List<FieldChange> out = new ArrayList<>();
        fields.compare(b, a, out);
        if (!out.isEmpty()) {
          changes.add(new ObjectChange(Action.CHANGED, kind, objectName, out));
        }
      }
    }
  }

  private static void entity(Entity before, Entity after, List<FieldChange> out) {
    named(out, "join_keys", before.joinKeys(), after.joinKeys(), JoinKey::name,
        (prefix, b, a) -> field(out, prefix + ".type", b.type().name(), a.type().name()),
        key -> key.type().name());
    field(out, "description", before.description(), after.description());
  }

  private static void view(FeatureView before, FeatureView after, List<FieldChange> out) {
    field(out, "entities", String.join(", ", before.entities()), String.join(", ", after.entities()));
    named(out, "features", before.features(), after.features(), Feature::name,
        (prefix, b, a) -> {
          field(out, prefix + ".type", b.type().name(), a.type().name());
          field(out, prefix + ".description", b.description(), a.description());
        },
        feature -> feature.type().name());
    field(out, "ttl", before.ttl().toString(), after.ttl().toString());
    field(out, "source", source(before.source()), source(after.source()));
    tags(out, before.tags(), after.tags());
    field(out, "owner", before.owner(), after.owner());
    field(out, "description", before.description(), after.description());
  }

  private static void service(FeatureService before, FeatureService after, List<FieldChange> out) {
    field(out, "features", refs(before.features()), refs(after.features()));
    tags(out, before.tags(), after.tags());
    field(out, "owner", before.owner(), after.owner());
    field(out, "description", before.description(), after.description());
  }

  static void model(Model before, Model after, List<FieldChange> out) {
    field(out, "artifact", before.artifact(), after.artifact());
    field(out, "sha256", before.sha256(), after.sha256());
    field(out, "feature_service", before.featureService(), after.featureService());
    field(out, "inputs", inputs(before.inputs()), inputs(after.inputs()));
    field(out, "score_output", before.scoreOutput(), after.scoreOutput());
    field(out, "description", before.description(), after.description());
  }

  private static void experiment(Experiment before, Experiment after, List<FieldChange> out) {
    field(out, "unit_key", before.unitKey(), after.unitKey());
    field(out, "salt", before.salt(), after.salt());
    named(out, "variants", before.variants(), after.variants(), Experiment.Variant::name,
        (prefix, b, a) -> {
          field(out, prefix + ".weight", Integer.toString(b.weight()), Integer.toString(a.weight()));
          field(out, prefix + ".model", b.model().toString(), a.model().toString());
        },
        variant -> variant.weight() + " " + variant.model());
    field(out, "shadows", before.shadows().stream().map(ModelVersion::toString).collect(Collectors.joining(", ")),
        after.shadows().stream().map(ModelVersion::toString).collect(Collectors.joining(", ")));
    field(out, "description", before.description(), after.description());
  }

  private static String inputs(List<ModelInput> inputs) {
    return inputs.stream()
        .map(i -> i.feature() + " -> " + i.tensor() + " " + i.type() + " default " + i.defaultValue())
        .collect(Collectors.joining(", "));
  }

  /** Compares one item that both lists hold; {@code prefix} is its path, for example {@code features.amount}. */
  private interface ItemDiff<T> {
    void compare(String prefix, T before, T after);
  }

  /**
   * Diffs a list of named items: {@code prefix.name} for an item added (old value empty) or removed (new value
   * empty), the item's own fields for one in both, and {@code prefix} itself when the items both lists hold are in
   * another order (order is meaningful: it is the order of key columns and of expanded {@code view:*} columns).
   */
  private static <T> void named(
      List<FieldChange> out, String prefix, List<T> before, List<T> after, Function<T, String> name,
      ItemDiff<T> common, Function<T, String> summary) {
    Map<String, T> old = index(before, name);
    Map<String, T> neu = index(after, name);
    for (T item : before) {
      String itemName = name.apply(item);
      T other = neu.get(itemName);
      if (other == null) {
        out.add(new FieldChange(prefix + "." + itemName, summary.apply(item), ""));
      } else {
        common.compare(prefix + "." + itemName, item, other);
      }
    }
    for (T item : after) {
      if (!old.containsKey(name.apply(item))) {
        out.add(new FieldChange(prefix + "." + name.apply(item), "", summary.apply(item)));
      }
    }
    List<String> oldOrder = before.stream().map(name).filter(neu::containsKey).toList();
    List<String> newOrder = after.stream().map(name).filter(old::containsKey).toList();
    if (!oldOrder.equals(newOrder)) {
      out.add(new FieldChange(prefix, String.join(", ", oldOrder), String.join(", ", newOrder)));
    }
  }

  private static void tags(List<FieldChange> out, Map<String, String> before, Map<String, String> after) {
    TreeMap<String, String> keys = new TreeMap<>(before);
    keys.putAll(after);
    for (String key : keys.keySet()) {
      field(out, "tags." + key, before.getOrDefault(key, ""), after.getOrDefault(key, ""));
    }
  }

  private static void field(List<FieldChange> out, String field, String before, String after) {
    if (!Objects.equals(before, after)) {
      out.add(new FieldChange(field, before, after));
    }
  }

  static String source(Source source) {
    return source.location().isEmpty() ? source.kind().name() : source.kind().name() + " " + source.location();
  }

  private static String refs(List<FeatureRef> refs) {
    return refs.stream().map(FeatureRef::toString).collect(Collectors.joining(", "));
  }

  private static <T> Map<String, T> index(List<T> items, Function<T, String> name) {
    Map<String, T> index = new LinkedHashMap<>();
    items.forEach(item -> index.put(name.apply(item), item));
    return index;
  }
}
