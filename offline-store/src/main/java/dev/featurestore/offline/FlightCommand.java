package dev.featurestore.offline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.error.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A training-set request as it travels over Arrow Flight: the UTF-8 JSON of a DoPut command descriptor and of a
 * DoGet ticket (see the README, "Training sets over Arrow Flight").
 *
 * <pre>{"features": ["view:feature", "view:*"]} or {"feature_service": "name"},
 * optional "full_feature_names": true, "as_known_at": true,
 * and for DoGet the entities: "entity_path": "/path/on/the/server.parquet" or "upload": "id from DoPut"
 * or, to build a training set again, {"as_of": {a manifest}} with optional "entity_path" or "upload"</pre>
 *
 * <p>With {@code as_of} the manifest says the selection, naming and visibility (the command must not), the
 * snapshots to read and the registry version; the entities default to the manifest's entity file.
 *
 * @param features the references, empty when {@code featureService} is given
 * @param entityPath a .parquet or .csv file on the server, or null
 * @param upload the id of an uploaded entity table, or null
 * @param asOf the manifest of a training set to build again, or null
 */
record FlightCommand(
    List<FeatureRef> features,
    String featureService,
    boolean fullNames,
    boolean asKnownAt,
    String entityPath,
    String upload,
    TrainingSetManifest asOf) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS =
      Set.of("features", "feature_service", "full_feature_names", "as_known_at", "entity_path", "upload", "as_of");
  private static final Set<String> SAID_BY_MANIFEST =
      Set.of("features", "feature_service", "full_feature_names", "as_known_at");

  /**
   * Reads a command or ticket.
   *
   * @throws InvalidRequestException naming the field when the JSON is malformed, has an unknown field or a field of
   *     the wrong type, or names neither or both of features and a feature service
   */
  static FlightCommand parse(byte[] json) {
    String action = "Cannot read training-set command";
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(action + ": not JSON (" + e.getOriginalMessage() + ")", e);
    } catch (java.io.IOException e) {
      throw new InvalidRequestException(action + ": not JSON (" + e.getMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidRequestException(action + ": expected a JSON object");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidRequestException(action + ": unknown field '" + name + "' (known: features, feature_service,"
            + " full_feature_names, as_known_at, entity_path, upload, as_of)");
      }
    }
    String entityPath = text(root, "entity_path", action);
    String upload = text(root, "upload", action);
    if (entityPath != null && upload != null) {
      throw new InvalidRequestException(action + ": give either 'entity_path' or 'upload', not both");
    }
    JsonNode asOf = root.get("as_of");
    if (asOf != null && !asOf.isNull()) {
      return asOf(root, asOf, entityPath, upload, action);
    }
    List<FeatureRef> features = new ArrayList<>();
    JsonNode refs = root.get("features");
    if (refs != null && !refs.isNull()) {
      if (!refs.isArray()) {
        throw new InvalidRequestException(action + ": field 'features' must be an array of 'view:feature' strings");
      }
      for (JsonNode ref : refs) {
        if (!ref.isTextual()) {
          throw new InvalidRequestException(action + ": field 'features' must hold strings, not " + ref);
        }
        features.add(FeatureRef.parse(ref.asText()));
      }
    }
    String service = text(root, "feature_service", action);
    if (features.isEmpty() == (service == null)) {
      throw new InvalidRequestException(action + ": give either 'features' or 'feature_service', not both or neither");
    }
    return new FlightCommand(List.copyOf(features), service, bool(root, "full_feature_names", action),
        bool(root, "as_known_at", action), entityPath, upload, null);
  }

  private static FlightCommand asOf(JsonNode root, JsonNode asOf, String entityPath, String upload, String action) {
    for (String field : SAID_BY_MANIFEST) {
      if (root.has(field)) {
        throw new InvalidRequestException(action + ": field '" + field + "' cannot go with 'as_of': the manifest"
            + " says it");
      }
    }
    if (!asOf.isObject()) {
      throw new InvalidRequestException(action + ": field 'as_of' must be a training-set manifest (a JSON object),"
          + " not " + asOf);
    }
    TrainingSetManifest manifest = ManifestCodec.fromTree(asOf, "as_of");
    return new FlightCommand(manifest.features(), manifest.featureService(), manifest.naming() == FeatureNaming.FULL,
        manifest.visibility() == TrainingSetRequest.Visibility.AS_KNOWN_AT, entityPath, upload, manifest);
  }

  FlightCommand withUpload(String id) {
    return new FlightCommand(features, featureService, fullNames, asKnownAt, null, id, asOf);
  }

  /** The command as JSON again: a ticket that reads back to an equal command. */
  byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    if (asOf != null) {
      root.set("as_of", ManifestCodec.toTree(asOf));
    } else if (featureService != null) {
      root.put("feature_service", featureService);
    } else {
      ArrayNode refs = root.putArray("features");
      features.forEach(ref -> refs.add(ref.toString()));
    }
    if (asOf == null) {
      root.put("full_feature_names", fullNames);
      root.put("as_known_at", asKnownAt);
    }
    if (entityPath != null) {
      root.put("entity_path", entityPath);
    }
    if (upload != null) {
      root.put("upload", upload);
    }
    try {
      return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The request for an entity file; the output is null (streamed). With {@code as_of}, pinned to the manifest's
   * snapshots and entity sha256.
   */
  TrainingSetRequest toRequest(Path entityFile) {
    TrainingSetRequest request = new TrainingSetRequest(entityFile, features, featureService,
        fullNames ? FeatureNaming.FULL : FeatureNaming.SHORT,
        asKnownAt ? TrainingSetRequest.Visibility.AS_KNOWN_AT : TrainingSetRequest.Visibility.ALL_WRITES, null);
    return asOf == null ? request
        : request.withAsOf(new TrainingSetRequest.AsOf(asOf.snapshotIds(), asOf.entitySha256()));
  }

  private static String text(JsonNode root, String field, String action) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || node.asText().isEmpty()) {
      throw new InvalidRequestException(action + ": field '" + field + "' must be a non-empty string, not " + node);
    }
    return node.asText();
  }

  private static boolean bool(JsonNode root, String field, String action) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw new InvalidRequestException(action + ": field '" + field + "' must be true or false, not " + node);
    }
    return node.asBoolean();
  }
}
