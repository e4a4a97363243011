package dev.featurestore.offline.predictions;

import java.util.List;

/**
 * The units of one experiment read from the prediction log.
 *
 * @param units one per unit, in no particular order
 * @param conflictingUnits units logged under more than one variant (each keeps the variant of its first
 *     prediction): with deterministic assignment this is 0 unless the experiment's weights or salt changed while it
 *     ran, which invalidates the comparison
 * @param rowsWithoutUnit logged rows of the experiment without a unit, ignored
 */
public record Assignments(List<Assignment> units, long conflictingUnits, long rowsWithoutUnit) {
  public Assignments {
    units = List.copyOf(units);
  }
}
