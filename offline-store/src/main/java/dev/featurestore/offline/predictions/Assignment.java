package dev.featurestore.offline.predictions;

import java.util.Objects;

/**
 * The variant an experiment unit was assigned to, as the prediction log recorded it.
 *
 * @param unit the unit's value as text (for example a user id)
 * @param variant the variant of the unit's first logged prediction in the experiment
 * @param firstMicros the time of that prediction, UTC epoch microseconds: when the unit entered the experiment
 */
public record Assignment(String unit, String variant, long firstMicros) {
  public Assignment {
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(variant, "variant");
  }
}
