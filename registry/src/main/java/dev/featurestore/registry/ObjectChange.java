package dev.featurestore.registry;

import java.util.List;

/**
 * One added, changed or removed definition, with the fields that differ (empty for added and removed). A model is
 * named {@code name@version}.
 */
public record ObjectChange(Action action, Kind kind, String name, List<FieldChange> fields) {
  public enum Action { ADDED, CHANGED, REMOVED }

  public enum Kind { ENTITY, FEATURE_VIEW, FEATURE_SERVICE, MODEL, EXPERIMENT }

  public ObjectChange {
    fields = List.copyOf(fields);
  }

  /**
   * One differing field.
   *
   * @param field a dotted path inside the object, for example {@code features.amount.type} or {@code ttl}
   * @param oldValue the value before, empty when the field is new
   * @param newValue the value after, empty when the field is gone
   */
  public record FieldChange(String field, String oldValue, String newValue) {}
}
