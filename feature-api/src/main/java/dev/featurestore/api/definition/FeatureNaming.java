package dev.featurestore.api.definition;

/** How selected features are named in results. */
public enum FeatureNaming {
  /** By the feature's name; {@code view__feature} only for names that two selected views share. */
  SHORT,
  /** Always {@code view__feature}. */
  FULL
}
