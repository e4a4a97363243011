package dev.featurestore.registry;

import java.util.List;

/**
 * What an apply would do against {@code baseVersion}: the changes, and the violations that would refuse it.
 *
 * @param changes added, changed and removed objects, entities first, then views, then services, by name
 * @param violations one line per refused change, naming the object and field; empty when apply would succeed
 */
public record Plan(long baseVersion, List<ObjectChange> changes, List<String> violations) {
  public Plan {
    changes = List.copyOf(changes);
    violations = List.copyOf(violations);
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  public boolean isAllowed() {
    return violations.isEmpty();
  }
}
