package dev.featurestore.sdk;

import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The latest feature values of a batch of entities: one row per requested entity row, in request order, and in
 * each row one {@link FeatureValue} per output column. Values are in the Java representation of their type (see
 * {@link dev.featurestore.api.ValueType}). Immutable.
 *
 * @param featureNames the output column names, in request order
 * @param featureRefs the fully qualified reference of each output column
 * @param rows one list of values per entity row, parallel to {@code featureNames}
 */
public record OnlineResponse(List<String> featureNames, List<FeatureRef> featureRefs, List<List<FeatureValue>> rows) {

  /**
   * One served value.
   *
   * @param value the value, null unless the status is {@link FeatureStatus#PRESENT} or
   *     {@link FeatureStatus#OUTSIDE_MAX_AGE}
   * @param status what the online tier holds
   * @param eventTimestamp UTC microseconds of the row the value came from, 0 when {@link FeatureStatus#NOT_FOUND}
   */
  public record FeatureValue(Object value, FeatureStatus status, long eventTimestamp) {
    public FeatureValue {
      Objects.requireNonNull(status, "status");
    }
  }

  public OnlineResponse {
    featureNames = List.copyOf(featureNames);
    featureRefs = List.copyOf(featureRefs);
    if (featureRefs.size() != featureNames.size()) {
      throw new InvalidRequestException("Cannot read online response: " + featureNames.size() + " names but "
          + featureRefs.size() + " references");
    }
    List<List<FeatureValue>> copy = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).size() != featureNames.size()) {
        throw new InvalidRequestException("Cannot read online response: row " + i + " has " + rows.get(i).size()
            + " values for " + featureNames.size() + " features");
      }
      copy.add(List.copyOf(rows.get(i)));
    }
    rows = Collections.unmodifiableList(copy);
  }

  /** The number of entity rows. */
  public int size() {
    return rows.size();
  }

  /**
   * The column of an output name.
   *
   * @throws NotFoundException naming the name and the names the response has
   */
  public int indexOf(String featureName) {
    int index = featureNames.indexOf(featureName);
    if (index < 0) {
      throw new NotFoundException(
          "Cannot find feature '" + featureName + "' in the online response: it has " + featureNames);
    }
    return index;
  }

  /** The served value of one entity row and output column. */
  public FeatureValue feature(int row, String featureName) {
    return rows.get(row).get(indexOf(featureName));
  }

  /** The value of one entity row and output column, null when none is stored (see {@link #feature}). */
  public Object value(int row, String featureName) {
    return feature(row, featureName).value();
  }

  /** The values of one entity row by output name, in column order; absent values are null. */
  public Map<String, Object> values(int row) {
    Map<String, Object> values = new LinkedHashMap<>();
    List<FeatureValue> served = rows.get(row);
    for (int i = 0; i < featureNames.size(); i++) {
      values.put(featureNames.get(i), served.get(i).value());
    }
    return Collections.unmodifiableMap(values);
  }
}
