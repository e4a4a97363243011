package dev.featurestore.online.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.FeatureList;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import dev.featurestore.proto.v1.PushRequest;
import dev.featurestore.proto.v1.PushRow;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON bodies of the HTTP API as the OnlineService's proto requests, values typed by the declared types of the
 * current definitions (see {@link JsonValues}).
 *
 * <p>This class checks only the shape of the JSON (which members, of which JSON kind). Everything the gRPC service
 * validates (names, types, missing keys, timestamps, empty requests) is left to it, so HTTP answers with the same
 * status and message. A name that is not defined is passed through untyped for the same reason.
 */
final class JsonRequests {
  private static final Set<String> READ_FIELDS =
      Set.of("features", "feature_service", "entities", "full_feature_names");
  private static final Set<String> PUSH_FIELDS = Set.of("feature_view", "rows");
  private static final Set<String> ROW_FIELDS = Set.of("keys", "features", "event_timestamp", "created_timestamp");

  private JsonRequests() {}

  /**
   * The JSON object of a request body.
   *
   * @throws InvalidRequestException when the body is empty, is not JSON (naming the problem and where it is), or is
   *     JSON but not an object
   */
  static Map<String, Object> object(Buffer body) {
    if (body == null || body.length() == 0) {
      throw new InvalidRequestException("Cannot read request body: it is empty; expected a JSON object");
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new InvalidRequestException("Cannot read request body: " + describe(e), e);
    }
    Map<String, Object> object = JsonValues.object(json);
    if (object == null) {
      throw new InvalidRequestException(
          "Cannot read request body: expected a JSON object but got " + JsonValues.shown(json));
    }
    return object;
  }

  private static String describe(DecodeException e) {
    if (e.getCause() instanceof JsonProcessingException parse) {
      JsonLocation at = parse.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      return parse.getOriginalMessage().replaceAll("\\s+", " ") + where;
    }
    return String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
  }

  /**
   * {@code {"features": ["view:feature", "view:*"]} or {"feature_service": "name"}}, with
   * {@code "entities": [{"user_id": 42}, ...]} and optionally {@code "full_feature_names": true}.
   *
   * @throws InvalidRequestException naming the member or row whose JSON has the wrong shape
   */
  static GetOnlineFeaturesRequest getOnlineFeatures(Map<String, Object> body, Definitions definitions) {
    checkMembers(body, READ_FIELDS, "request body", "features or feature_service, entities, full_feature_names");
    GetOnlineFeaturesRequest.Builder request = GetOnlineFeaturesRequest.newBuilder();
    Set<String> viewNames = new LinkedHashSet<>();
    if (body.containsKey("features") && body.containsKey("feature_service")) {
      throw new InvalidRequestException(
          "Cannot read request body: it names both 'features' and 'feature_service'; give one of them");
    }
    if (body.containsKey("features")) {
      List<?> refs = list(body.get("features"), "'features'", "an array of references like \"view:feature\"");
      FeatureList.Builder features = FeatureList.newBuilder();
      for (Object ref : refs) {
        if (!(ref instanceof String text)) {
          throw new InvalidRequestException("Cannot read request body: 'features' must be an array of references"
              + " like \"view:feature\" but holds " + JsonValues.shown(ref));
        }
        features.addFeatures(text);
        int colon = text.indexOf(':');
        viewNames.add(colon < 0 ? text : text.substring(0, colon));
      }
      request.setFeatures(features);
    }
    if (body.containsKey("feature_service")) {
      String name = string(body.get("feature_service"), "'feature_service'");
      request.setFeatureService(name);
      definitions.service(name).map(FeatureService::features)
          .ifPresent(refs -> refs.forEach(ref -> viewNames.add(ref.view())));
    }
    if (body.containsKey("full_feature_names")) {
      Object full = body.get("full_feature_names");
      if (!(full instanceof Boolean flag)) {
        throw new InvalidRequestException(
            "Cannot read request body: 'full_feature_names' must be true or false but is " + JsonValues.shown(full));
      }
      request.setFullFeatureNames(flag);
    }
    Map<String, ValueType> keyTypes = keyTypes(definitions, viewNames);
    List<?> entities = body.containsKey("entities")
        ? list(body.get("entities"), "'entities'", "an array of objects of join keys")
        : List.of();
    for (int i = 0; i < entities.size(); i++) {
      String where = "entity row " + i;
      Map<String, Object> keys = JsonValues.object(entities.get(i));
      if (keys == null) {
        throw new InvalidRequestException("Cannot read " + where + ": it must be an object of join keys but is "
            + JsonValues.shown(entities.get(i)));
      }
      EntityRow.Builder row = EntityRow.newBuilder();
      for (Map.Entry<String, Object> key : keys.entrySet()) {
        row.putKeys(key.getKey(), JsonValues.toProto(
            key.getValue(), keyTypes.get(key.getKey()), where, "join key '" + key.getKey() + "'"));
      }
      request.addEntities(row);
    }
    return request.build();
  }

  /**
   * {@code {"feature_view": "v", "rows": [{"keys": {...}, "features": {...}, "event_timestamp": micros or ISO-8601,
   * "created_timestamp": optional}]}}.
   *
   * @throws InvalidRequestException naming the member or row whose JSON has the wrong shape
   */
  static PushRequest push(Map<String, Object> body, Definitions definitions) {
    checkMembers(body, PUSH_FIELDS, "request body", "feature_view, rows");
    PushRequest.Builder request = PushRequest.newBuilder();
    String viewName = body.containsKey("feature_view") ? string(body.get("feature_view"), "'feature_view'") : "";
    request.setFeatureView(viewName);
    Optional<FeatureView> view = definitions.view(viewName);
    Map<String, ValueType> keyTypes = new HashMap<>();
    view.ifPresent(v -> definitions.joinKeys(v).forEach(key -> keyTypes.put(key.name(), key.type())));
    List<?> rows = body.containsKey("rows")
        ? list(body.get("rows"), "'rows'", "an array of objects with keys, features and event_timestamp")
        : List.of();
    for (int i = 0; i < rows.size(); i++) {
      String where = "push row " + i + " of view '" + viewName + "'";
      Map<String, Object> row = JsonValues.object(rows.get(i));
      if (row == null) {
        throw new InvalidRequestException("Cannot read " + where
            + ": it must be an object with keys, features and event_timestamp but is " + JsonValues.shown(rows.get(i)));
      }
      checkMembers(row, ROW_FIELDS, where, "keys, features, event_timestamp, created_timestamp");
      PushRow.Builder out = PushRow.newBuilder();
      for (Map.Entry<String, Object> key : members(row.get("keys"), where, "keys").entrySet()) {
        out.putKeys(key.getKey(), JsonValues.toProto(
            key.getValue(), keyTypes.get(key.getKey()), where, "join key '" + key.getKey() + "'"));
      }
      for (Map.Entry<String, Object> feature : members(row.get("features"), where, "features").entrySet()) {
        ValueType type = view.flatMap(v -> v.feature(feature.getKey())).map(Feature::type).orElse(null);
        out.putFeatures(feature.getKey(), JsonValues.toProto(
            feature.getValue(), type, where, "feature '" + feature.getKey() + "'"));
      }
      out.setEventTimestamp(JsonValues.timestamp(row.get("event_timestamp"), where, "event_timestamp"));
      out.setCreatedTimestamp(JsonValues.timestamp(row.get("created_timestamp"), where, "created_timestamp"));
      request.addRows(out);
    }
    return request.build();
  }

  /**
   * The join key types of the named views that are defined. The selection itself is resolved (and refused) by the
   * shared reader; this lookup only types the keys and never fails.
   */
  private static Map<String, ValueType> keyTypes(Definitions definitions, Set<String> viewNames) {
    Map<String, ValueType> types = new HashMap<>();
    for (String name : viewNames) {
      definitions.view(name).ifPresent(view -> {
        for (JoinKey key : definitions.joinKeys(view)) {
          types.putIfAbsent(key.name(), key.type());
        }
      });
    }
    return types;
  }

  private static void checkMembers(Map<String, Object> object, Set<String> known, String where, String expected) {
    for (String name : object.keySet()) {
      if (!known.contains(name)) {
        throw new InvalidRequestException(
            "Cannot read " + where + ": unknown member '" + name + "' (expected " + expected + ")");
      }
    }
  }

  private static Map<String, Object> members(Object json, String where, String member) {
    if (json == null) {
      return Map.of();
    }
    Map<String, Object> members = JsonValues.object(json);
    if (members == null) {
      throw new InvalidRequestException("Cannot read " + where + ": '" + member + "' must be an object of names to"
          + " values but is " + JsonValues.shown(json));
    }
    return members;
  }

  private static List<?> list(Object json, String member, String expected) {
    Object value = JsonValues.unwrap(json);
    if (!(value instanceof List<?> items)) {
      throw new InvalidRequestException(
          "Cannot read request body: " + member + " must be " + expected + " but is " + JsonValues.shown(json));
    }
    return items;
  }

  private static String string(Object json, String member) {
    if (!(json instanceof String text)) {
      throw new InvalidRequestException(
          "Cannot read request body: " + member + " must be a string but is " + JsonValues.shown(json));
    }
    return text;
  }
}
