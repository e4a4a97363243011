package dev.featurestore.api.error;

import java.util.List;

/**
 * A registry change was refused because it would make the online and offline tiers disagree (a feature's type
 * changed, a join key changed or was dropped), or because the registry moved on since the caller read it. Nothing
 * was written.
 */
public class IncompatibleChangeException extends FeatureStoreException {
  private final List<String> violations;

  public IncompatibleChangeException(List<String> violations) {
    super("Cannot apply definitions: " + String.join("; ", violations));
    this.violations = List.copyOf(violations);
  }

  /** One line per refused change, each naming the object and field. */
  public List<String> violations() {
    return violations;
  }
}
