package dev.featurestore.registry;

import dev.featurestore.api.definition.Definitions;

/** Computes what an apply of proposed definitions on top of a stored version would change, and what it refuses. */
final class Planner {
  private Planner() {}

  static Plan plan(RegistrySnapshot base, Definitions proposed) {
    return new Plan(
        base.version(),
        DefinitionDiff.diff(base.definitions(), proposed),
        CompatibilityRules.violations(base.definitions(), proposed));
  }
}
