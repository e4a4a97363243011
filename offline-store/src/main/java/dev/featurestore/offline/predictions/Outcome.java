package dev.featurestore.offline.predictions;

import java.util.Objects;

/**
 * One observed outcome of a unit (a click, a purchase amount, a label).
 *
 * @param unit the unit's (or join key's) value as text
 * @param timeMicros when it was observed, UTC epoch microseconds
 * @param value the outcome (booleans read as 1 and 0)
 */
public record Outcome(String unit, long timeMicros, double value) {
  public Outcome {
    Objects.requireNonNull(unit, "unit");
  }
}
