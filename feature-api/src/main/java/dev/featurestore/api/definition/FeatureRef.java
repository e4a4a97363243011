package dev.featurestore.api.definition;

import dev.featurestore.api.error.InvalidRequestException;

/**
 * A reference to one feature ({@code view:feature}) or to every feature of a view ({@code view:*}). Whether the
 * names exist is checked against {@link Definitions}, not here.
 */
public record FeatureRef(String view, String feature) {
  public static final String ALL = "*";

  public FeatureRef {
    Names.check(view, "feature view");
    if (!ALL.equals(feature)) {
      Names.check(feature, "feature");
    }
  }

  /**
   * Parses {@code view:feature} or {@code view:*}.
   *
   * @throws InvalidRequestException naming the text when it is not of that form
   */
  public static FeatureRef parse(String text) {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
      throw new InvalidRequestException(
          "Cannot parse feature reference '" + text + "': expected 'view:feature' or 'view:*'");
    }
    return new FeatureRef(text.substring(0, colon), text.substring(colon + 1));
  }

  public static FeatureRef of(String view, String feature) {
    return new FeatureRef(view, feature);
  }

  public static FeatureRef allOf(String view) {
    return new FeatureRef(view, ALL);
  }

  public boolean isWholeView() {
    return ALL.equals(feature);
  }

  @Override
  public String toString() {
    return view + ":" + feature;
  }
}
