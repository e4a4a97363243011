package dev.featurestore.registry;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Model;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The changes that would make stored rows disagree with their schema, and so are refused: rows already written to
 * the online and offline tiers keep the old types and keys. Compared against the current version only.
 *
 * <ul>
 *   <li>a feature of a view changes type;
 *   <li>a view's entities change (name or order), which changes its row key;
 *   <li>an entity's join keys change (name, type, order, added, removed) while any view, before or after, uses it;
 *   <li>an applied model version changes in any field: a model version is immutable (clients, logs and experiment
 *       results refer to it), so publish a new version instead.
 * </ul>
 *
 * Everything else is allowed: adding and removing features, views, services, unused entities, model versions and
 * experiments, changing TTL, source, tags, owner and descriptions, and changing experiments.
 */
final class CompatibilityRules {
  private CompatibilityRules() {}

  /** One line per refused change, naming object and field: entities first, then views, each by name. */
  static List<String> violations(Definitions before, Definitions after) {
    List<String> violations = new ArrayList<>();
    for (Entity old : sorted(before.entities(), Comparator.comparing(Entity::name))) {
      Optional<Entity> changed = after.entity(old.name()).filter(e -> !e.joinKeys().equals(old.joinKeys()));
      if (changed.isEmpty()) {
        continue;
      }
      TreeSet<String> users = new TreeSet<>(usersOf(before, old.name()));
      users.addAll(usersOf(after, old.name()));
      if (!users.isEmpty()) {
        violations.add("entity '" + old.name() + "': join keys change from " + keys(old.joinKeys()) + " to "
            + keys(changed.get().joinKeys()) + " while " + (users.size() == 1 ? "feature view " : "feature views ")
            + users.stream().map(v -> "'" + v + "'").collect(Collectors.joining(", "))
            + (users.size() == 1 ? " uses" : " use") + " it; declare a new entity instead");
      }
    }
    for (FeatureView old : sorted(before.featureViews(), Comparator.comparing(FeatureView::name))) {
      Optional<FeatureView> maybeNew = after.view(old.name());
      if (maybeNew.isEmpty()) {
        continue;
      }
      FeatureView neu = maybeNew.get();
      if (!neu.entities().equals(old.entities())) {
        violations.add("feature view '" + old.name() + "': entities change from " + old.entities() + " to "
            + neu.entities() + ", which changes its join keys; declare a new view instead");
      }
      for (Feature feature : old.features()) {
        neu.feature(feature.name())
            .filter(f -> f.type() != feature.type())
            .ifPresent(f -> violations.add("feature view '" + old.name() + "': feature '" + feature.name()
                + "' changes type from " + feature.type() + " to " + f.type()
                + "; declare a new feature or a new view instead"));
      }
    }
    for (Model old : sorted(before.models(), Comparator.comparing((Model m) -> m.name()).thenComparing(Model::version))) {
      after.model(old.name(), old.version()).ifPresent(neu -> {
        List<ObjectChange.FieldChange> fields = new ArrayList<>();
        DefinitionDiff.model(old, neu, fields);
        if (!fields.isEmpty()) {
          violations.add("model '" + old.name() + "' version " + old.version() + ": "
              + fields.stream().map(ObjectChange.FieldChange::field).collect(Collectors.joining(", "))
              + (fields.size() == 1 ? " changes" : " change") + ", but a model version is immutable once applied;"
              + " declare version " + (maxVersion(after, old.name()) + 1) + " instead");
        }
      });
    }
    return violations;
  }

  private static int maxVersion(Definitions definitions, String model) {
    return definitions.models().stream().filter(m -> m.name().equals(model)).mapToInt(Model::version).max()
        .orElse(0);
  }

  private static List<String> usersOf(Definitions definitions, String entity) {
    return definitions.featureViews().stream()
        .filter(v -> v.entities().contains(entity))
        .map(FeatureView::name)
        .toList();
  }

  private static String keys(List<JoinKey> keys) {
    return keys.stream().map(k -> k.name() + ": " + k.type()).collect(Collectors.joining(", ", "[", "]"));
  }

  private static <T> List<T> sorted(List<T> items, Comparator<T> order) {
    return items.stream().sorted(order).toList();
  }
}
