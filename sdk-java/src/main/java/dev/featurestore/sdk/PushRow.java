package dev.featurestore.sdk;

import dev.featurestore.api.error.InvalidRequestException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row to write to a feature view's online tier: every join key, the features (a feature left out or mapped to
 * null is stored as null), when the values became true and, optionally, when they were written. Values are Java
 * values of the feature's type or one that converts without loss (an Integer for an INT64 feature, a Double that
 * is exactly a float for a FLOAT feature, an {@link java.time.Instant} for a TIMESTAMP). Immutable.
 *
 * @param keys join key name to value
 * @param features feature name to value, values may be null
 * @param eventTimestamp UTC microseconds when the values became true; required (positive)
 * @param createdTimestamp UTC microseconds when the values were written; 0 means the server's clock at receipt
 */
public record PushRow(Map<String, Object> keys, Map<String, Object> features, long eventTimestamp,
    long createdTimestamp) {

  public PushRow {
    keys = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(keys, "keys")));
    features = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(features, "features")));
    if (keys.isEmpty()) {
      throw new InvalidRequestException("Cannot build push row: it has no join key");
    }
    keys.forEach((name, value) -> {
      if (name == null || value == null) {
        throw new InvalidRequestException("Cannot build push row: join key '" + name + "' has no value");
      }
    });
    if (features.containsKey(null)) {
      throw new InvalidRequestException("Cannot build push row: a feature has no name");
    }
    if (eventTimestamp <= 0) {
      throw new InvalidRequestException(
          "Cannot build push row: event timestamp " + eventTimestamp + " is not a positive UTC microsecond time");
    }
    if (createdTimestamp < 0) {
      throw new InvalidRequestException(
          "Cannot build push row: created timestamp " + createdTimestamp + " is negative (0 means now)");
    }
  }

  /** A row written at the server's clock. */
  public static PushRow of(Map<String, ?> keys, Map<String, ?> features, long eventTimestampMicros) {
    return new PushRow(new LinkedHashMap<>(keys), new LinkedHashMap<>(features), eventTimestampMicros, 0);
  }

  public PushRow withCreatedTimestamp(long createdTimestampMicros) {
    return new PushRow(keys, features, eventTimestamp, createdTimestampMicros);
  }
}
