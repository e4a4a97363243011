package dev.featurestore.registry;

import java.util.List;

/** The outcome of a successful apply: the snapshot now current and the changes that produced it (may be none). */
public record ApplyResult(RegistrySnapshot snapshot, List<ObjectChange> changes) {
  public ApplyResult {
    changes = List.copyOf(changes);
  }
}
