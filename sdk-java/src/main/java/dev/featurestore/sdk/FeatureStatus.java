package dev.featurestore.sdk;

/** What the online tier holds for one entity and feature. */
public enum FeatureStatus {
  /** A value that is within the view's TTL. */
  PRESENT,
  /** No row for the entity: nothing was ever written, or the row was removed. */
  NOT_FOUND,
  /** A value older than the view's TTL at read time; the value is reported but should not be trusted. */
  OUTSIDE_MAX_AGE,
  /** A row exists but holds the null state for the feature. */
  NULL_VALUE
}
