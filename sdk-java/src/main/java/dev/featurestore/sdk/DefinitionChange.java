package dev.featurestore.sdk;

import java.util.List;
import java.util.Objects;

/**
 * One entity, feature view, feature service, model version or experiment that an apply adds, changes or removes, with the fields that differ
 * (empty for added and removed objects). Immutable.
 */
public record DefinitionChange(Action action, Kind kind, String name, List<FieldChange> fields) {
  public enum Action { ADDED, CHANGED, REMOVED }

  /** What changes; a model is named {@code name@version}. */
  public enum Kind { ENTITY, FEATURE_VIEW, FEATURE_SERVICE, MODEL, EXPERIMENT }

  public DefinitionChange {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    fields = List.copyOf(fields);
  }

  /**
   * One differing field.
   *
   * @param field a dotted path inside the object, for example {@code features.amount.type}
   * @param oldValue the value before, empty when the field is new
   * @param newValue the value after, empty when the field is gone
   */
  public record FieldChange(String field, String oldValue, String newValue) {}
}
