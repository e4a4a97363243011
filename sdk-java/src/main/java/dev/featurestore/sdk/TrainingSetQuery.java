package dev.featurestore.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.error.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * What a training set joins: features or a feature service, how columns are named, and which writes an entity row
 * may see; or, to build a training set again, its manifest ({@link #asOf}). Immutable; refine with the
 * {@code withX} methods. The entity rows travel apart ({@link TrainingSetClient#fetch}).
 *
 * @param features the feature references, empty when {@code featureService} or {@code asOf} is given
 * @param featureService the feature service, or null when {@code features} or {@code asOf} is given
 * @param fullFeatureNames whether every feature column is named {@code view__feature} (otherwise only on clashes)
 * @param visibility which stored rows an entity row at {@code t} may see
 * @param asOf the JSON of a training set's manifest to build again, or null
 */
public record TrainingSetQuery(
    List<FeatureRef> features, String featureService, boolean fullFeatureNames, Visibility visibility,
    String asOf) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Which stored feature rows an entity row at time {@code t} may see. */
  public enum Visibility {
    /** Every row with {@code event_timestamp <= t}, however late it was written (the default). */
    ALL_WRITES,
    /** Only rows also written by {@code t} ({@code created_timestamp <= t}): late backfills cannot leak the future. */
    AS_KNOWN_AT
  }

  public TrainingSetQuery {
    features = List.copyOf(features == null ? List.of() : features);
    Objects.requireNonNull(visibility, "visibility");
    if (asOf != null) {
      if (!features.isEmpty() || featureService != null || fullFeatureNames || visibility != Visibility.ALL_WRITES) {
        throw new InvalidRequestException("Cannot build training-set query: a query as of a manifest takes its"
            + " features, naming and visibility from the manifest");
      }
      if (!manifestTree(asOf).isObject()) {
        throw new InvalidRequestException("Cannot build training-set query: the manifest must be a JSON object");
      }
    } else if (features.isEmpty() == (featureService == null)) {
      throw new InvalidRequestException(
          "Cannot build training-set query: give either feature references or a feature service, not both or neither");
    }
  }

  /** A query of features or a feature service (not a manifest). */
  public TrainingSetQuery(
      List<FeatureRef> features, String featureService, boolean fullFeatureNames, Visibility visibility) {
    this(features, featureService, fullFeatureNames, visibility, null);
  }

  /**
   * The training set of a manifest again ({@link FetchedTrainingSet#manifest()}, or a manifest file the command
   * line wrote): the same selection, naming and visibility, each view read at its recorded Iceberg snapshot, with
   * the definitions of its registry version, so the rows and the content hash are the same even after more data
   * arrived. The entity rows must be the same as then (the server checks their sha256).
   *
   * @throws InvalidRequestException when {@code manifestJson} is not a JSON object
   */
  public static TrainingSetQuery asOf(String manifestJson) {
    Objects.requireNonNull(manifestJson, "manifestJson");
    return new TrainingSetQuery(List.of(), null, false, Visibility.ALL_WRITES, manifestJson);
  }

  /** The given features ({@code "view:feature"} or {@code "view:*"}), short names, all writes visible. */
  public static TrainingSetQuery ofFeatures(String... references) {
    return new TrainingSetQuery(
        java.util.Arrays.stream(references).map(FeatureRef::parse).toList(), null, false, Visibility.ALL_WRITES);
  }

  /** The features of a feature service, short names, all writes visible. */
  public static TrainingSetQuery ofService(String featureService) {
    return new TrainingSetQuery(
        List.of(), Objects.requireNonNull(featureService, "featureService"), false, Visibility.ALL_WRITES);
  }

  /** The same query with every feature column named {@code view__feature}. */
  public TrainingSetQuery withFullFeatureNames() {
    return new TrainingSetQuery(features, featureService, true, visibility, asOf);
  }

  public TrainingSetQuery withVisibility(Visibility visibility) {
    return new TrainingSetQuery(features, featureService, fullFeatureNames, visibility, asOf);
  }

  /** The Flight command: the JSON of the README's "Training sets over Arrow Flight", with the entity path if any. */
  byte[] toCommand(String entityPath) {
    ObjectNode root = JSON.createObjectNode();
    if (asOf != null) {
      root.set("as_of", manifestTree(asOf));
    } else if (featureService != null) {
      root.put("feature_service", featureService);
    } else {
      ArrayNode refs = root.putArray("features");
      features.forEach(ref -> refs.add(ref.toString()));
    }
    if (asOf == null) {
      root.put("full_feature_names", fullFeatureNames);
      root.put("as_known_at", visibility == Visibility.AS_KNOWN_AT);
    }
    if (entityPath != null) {
      root.put("entity_path", entityPath);
    }
    try {
      return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode manifestTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("Cannot build training-set query: the manifest is not JSON ("
          + e.getOriginalMessage() + ")", e);
    }
  }
}
