package dev.featurestore.sdk;

import dev.featurestore.api.definition.Definitions;
import java.util.Objects;

/** The definitions the registry holds at {@code version}. Immutable. */
public record VersionedDefinitions(long version, Definitions definitions) {
  public VersionedDefinitions {
    Objects.requireNonNull(definitions, "definitions");
  }
}
