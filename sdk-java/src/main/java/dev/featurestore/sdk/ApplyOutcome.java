package dev.featurestore.sdk;

import java.util.List;

/**
 * A successful apply: the registry version now current (the previous one when nothing changed) and the changes
 * that produced it. Immutable.
 */
public record ApplyOutcome(long version, List<DefinitionChange> changes) {
  public ApplyOutcome {
    changes = List.copyOf(changes);
  }
}
