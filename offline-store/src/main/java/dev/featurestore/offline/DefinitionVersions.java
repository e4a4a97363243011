package dev.featurestore.offline;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.registry.Registry;
import dev.featurestore.registry.RegistrySnapshot;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Where the Flight service gets its definitions: the current ones for new training sets, and those of a manifest's
 * registry version for an {@code as_of} rebuild (a feature added since must not add a column).
 */
interface DefinitionVersions {

  /** The definitions to build new training sets with, and their registry version (0 when unknown). */
  RegistrySnapshot current();

  /**
   * The definitions of a registry version.
   *
   * @throws NotFoundException when there is no such version here
   */
  RegistrySnapshot version(long version);

  /** Every version of a registry. */
  static DefinitionVersions of(Registry registry) {
    return new DefinitionVersions() {
      @Override
      public RegistrySnapshot current() {
        return registry.current();
      }

      @Override
      public RegistrySnapshot version(long version) {
        return registry.version(version);
      }
    };
  }

  /** Definitions without a registry: version 0, which a manifest of version 0 (unknown) also takes. */
  static DefinitionVersions unversioned(Supplier<Definitions> definitions) {
    return new DefinitionVersions() {
      @Override
      public RegistrySnapshot current() {
        return new RegistrySnapshot(0, definitions.get(), Instant.EPOCH);
      }

      @Override
      public RegistrySnapshot version(long version) {
        if (version != 0) {
          throw new NotFoundException("Cannot build training set as of its manifest: registry version " + version
              + " is unknown to this Flight service (it was started with definitions but no registry)");
        }
        return current();
      }
    };
  }
}
