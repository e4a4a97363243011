package dev.featurestore.sdk;

import java.util.List;

/**
 * What applying definitions would do against the registry's version {@code baseVersion}. Nothing was written.
 * Immutable.
 *
 * @param changes the objects that would be added, changed or removed
 * @param violations one line per change the registry would refuse, naming the object and field; empty when apply
 *     would succeed
 */
public record DefinitionsPlan(long baseVersion, List<DefinitionChange> changes, List<String> violations) {
  public DefinitionsPlan {
    changes = List.copyOf(changes);
    violations = List.copyOf(violations);
  }

  /** True when the registry already holds exactly these definitions. */
  public boolean isEmpty() {
    return changes.isEmpty();
  }

  /** True when apply would succeed (barring a concurrent change). */
  public boolean isAllowed() {
    return violations.isEmpty();
  }
}
