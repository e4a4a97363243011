package dev.featurestore.sdk;

import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.Names;
import dev.featurestore.api.error.InvalidRequestException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A request for the latest feature values of a batch of entities: either explicit feature references or the name
 * of a feature service, one map of join key name to value per entity row, and how output columns are named.
 * Immutable; refine with the {@code withX} methods.
 *
 * <p>Join key values are Java values ({@link Integer}, {@link Long}, {@link String}, {@code byte[]} or
 * {@link java.nio.ByteBuffer}); the server widens an Integer to an INT64 key.
 *
 * @param features the references to read, empty when {@code featureService} is set
 * @param featureService the feature service to read, null when {@code features} are set
 * @param entityRows one map of join key to value per entity, in the order of the response rows
 * @param naming {@link FeatureNaming#SHORT} (the default) or {@link FeatureNaming#FULL} output names
 */
public record OnlineRequest(
    List<FeatureRef> features, String featureService, List<Map<String, Object>> entityRows, FeatureNaming naming) {

  public OnlineRequest {
    features = List.copyOf(Objects.requireNonNull(features, "features"));
    if (featureService == null && features.isEmpty()) {
      throw new InvalidRequestException("Cannot build online request: name features or a feature service");
    }
    if (featureService != null && !features.isEmpty()) {
      throw new InvalidRequestException(
          "Cannot build online request: name features or feature service '" + featureService + "', not both");
    }
    if (featureService != null) {
      Names.check(featureService, "feature service");
    }
    entityRows = copyRows(Objects.requireNonNull(entityRows, "entityRows"));
    naming = naming == null ? FeatureNaming.SHORT : naming;
  }

  /** A request for these features, with no entity rows yet. */
  public static OnlineRequest ofFeatures(List<FeatureRef> features) {
    return new OnlineRequest(features, null, List.of(), FeatureNaming.SHORT);
  }

  /**
   * A request for features written {@code view:feature} or {@code view:*}.
   *
   * @throws InvalidRequestException naming a reference that is not of that form
   */
  public static OnlineRequest ofFeatures(String... references) {
    List<FeatureRef> refs = new ArrayList<>(references.length);
    for (String reference : references) {
      refs.add(FeatureRef.parse(reference));
    }
    return ofFeatures(refs);
  }

  /** A request for the features of a feature service, with no entity rows yet. */
  public static OnlineRequest ofService(String featureService) {
    return new OnlineRequest(List.of(), Objects.requireNonNull(featureService, "featureService"), List.of(),
        FeatureNaming.SHORT);
  }

  /** This request with {@code rows} in place of its entity rows. */
  public OnlineRequest withEntityRows(List<? extends Map<String, ?>> rows) {
    List<Map<String, Object>> copy = new ArrayList<>(rows.size());
    rows.forEach(row -> copy.add(Collections.unmodifiableMap(new LinkedHashMap<>(row))));
    return new OnlineRequest(features, featureService, copy, naming);
  }

  /** This request with one more entity row. */
  public OnlineRequest withEntityRow(Map<String, ?> row) {
    List<Map<String, Object>> rows = new ArrayList<>(entityRows);
    rows.add(Collections.unmodifiableMap(new LinkedHashMap<>(row)));
    return new OnlineRequest(features, featureService, rows, naming);
  }

  public OnlineRequest withNaming(FeatureNaming naming) {
    return new OnlineRequest(features, featureService, entityRows, Objects.requireNonNull(naming, "naming"));
  }

  private static List<Map<String, Object>> copyRows(List<Map<String, Object>> rows) {
    List<Map<String, Object>> copy = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Map<String, Object> row = rows.get(i);
      if (row == null || row.isEmpty()) {
        throw new InvalidRequestException("Cannot use entity row " + i + ": it has no join key");
      }
      for (Map.Entry<String, Object> entry : row.entrySet()) {
        if (entry.getKey() == null || entry.getValue() == null) {
          throw new InvalidRequestException(
              "Cannot use entity row " + i + ": join key '" + entry.getKey() + "' has no value");
        }
      }
      copy.add(Collections.unmodifiableMap(new LinkedHashMap<>(row)));
    }
    return Collections.unmodifiableList(copy);
  }
}
