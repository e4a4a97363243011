package dev.featurestore.registry;

import dev.featurestore.api.definition.Definitions;
import java.time.Instant;
import java.util.Objects;

/** One version of the registry: immutable. Version 0 is the empty registry before any apply. */
public record RegistrySnapshot(long version, Definitions definitions, Instant appliedAt) {
  public RegistrySnapshot {
    Objects.requireNonNull(definitions, "definitions");
    Objects.requireNonNull(appliedAt, "appliedAt");
    if (version < 0) {
      throw new IllegalArgumentException("Cannot make a registry snapshot: version " + version + " is negative");
    }
  }

  public static RegistrySnapshot empty() {
    return new RegistrySnapshot(0, Definitions.EMPTY, Instant.EPOCH);
  }
}
