package dev.featurestore.api.definition;

import dev.featurestore.api.ValueType;
import java.util.Objects;

/** One typed feature of a view. Immutable. */
public record Feature(String name, ValueType type, String description) {
  public Feature {
    Names.checkNotReserved(name, "feature");
    Objects.requireNonNull(type, "type");
    description = description == null ? "" : description;
  }

  public static Feature of(String name, ValueType type) {
    return new Feature(name, type, "");
  }
}
