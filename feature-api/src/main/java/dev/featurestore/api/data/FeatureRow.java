package dev.featurestore.api.data;

import dev.featurestore.api.definition.FeatureView;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row of a feature view: its key, when it became true, when it was written, and its feature values.
 *
 * <p>{@code values} maps feature names to non-null values in the canonical representation of each feature's type;
 * a feature that is absent from the map is null in this row. Immutable.
 *
 * @param eventTimestampMicros UTC microseconds when the values became true
 * @param createdTimestampMicros UTC microseconds when the row was written
 */
public record FeatureRow(
    EntityKey key, long eventTimestampMicros, long createdTimestampMicros, Map<String, Object> values) {

  public FeatureRow {
    Objects.requireNonNull(key, "key");
    if (!(values instanceof FeatureValues)) {
      // FeatureValues is already immutable and null-free; copying it would undo what it saves on bulk reads.
      Map<String, Object> copy = new HashMap<>();
      values.forEach((name, value) -> {
        if (value != null) {
          copy.put(name, value);
        }
      });
      values = Collections.unmodifiableMap(copy);
    }
  }

  /** The value of a feature, or null when the row holds none. */
  public Object value(String feature) {
    return values.get(feature);
  }

  /**
   * The value of the feature at {@code position} in {@code view}'s declaration order, or null: read by position
   * when the row's values are held for this very view (as the online stores decode them, {@link FeatureValues}),
   * by the feature's name otherwise.
   */
  public Object value(FeatureView view, int position) {
    return values instanceof FeatureValues byPosition && byPosition.view() == view
        ? byPosition.at(position)
        : values.get(view.features().get(position).name());
  }

  /**
   * Whether this row replaces {@code stored} under event-time-wins: a newer event timestamp wins; on equal event
   * timestamps the larger created timestamp wins; on a full tie the later write (this one) wins. An older event
   * never replaces a newer one, whatever the order of arrival.
   */
  public boolean supersedes(FeatureRow stored) {
    return EventTimeOrder.supersedes(
        eventTimestampMicros, createdTimestampMicros, stored.eventTimestampMicros, stored.createdTimestampMicros);
  }
}
