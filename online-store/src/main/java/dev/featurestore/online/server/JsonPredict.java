package dev.featurestore.online.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.ModelRef;
import dev.featurestore.proto.v1.PredictRequest;
import dev.featurestore.proto.v1.PredictResponse;
import dev.featurestore.proto.v1.Prediction;
import dev.featurestore.proto.v1.Value;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/predict} as JSON: the body as a {@link PredictRequest} and the {@link PredictResponse} as JSON.
 * Like {@link JsonRequests}, only the JSON's shape is checked here; names, keys and types are validated by the
 * predictor, so HTTP and gRPC answer the same status and message.
 *
 * <pre>{@code
 * {"model": "fraud_lr", "model_version": 2,   // or {"experiment": "lr_test"}; model_version 0 or absent: latest
 *  "entities": [{"item_id": 7}, ...], "shared": {"user_id": 42}, "include_features": true, "request_id": "r1"}
 * }</pre>
 */
final class JsonPredict {
  private static final Set<String> FIELDS =
      Set.of("model", "model_version", "experiment", "entities", "shared", "include_features", "request_id");
  private static final JsonFactory JSON = new JsonFactory();

  private JsonPredict() {}

  static PredictRequest request(Map<String, Object> body, Definitions definitions) {
    for (String name : body.keySet()) {
      if (!FIELDS.contains(name)) {
        throw new InvalidRequestException("Cannot read request body: unknown member '" + name + "' (expected model,"
            + " model_version, experiment, entities, shared, include_features, request_id)");
      }
    }
    PredictRequest.Builder request = PredictRequest.newBuilder();
    if (body.containsKey("model") && body.containsKey("experiment")) {
      throw new InvalidRequestException(
          "Cannot read request body: it names both 'model' and 'experiment'; give one of them");
    }
    if (body.containsKey("model")) {
      ModelRef.Builder model = ModelRef.newBuilder().setName(string(body.get("model"), "model"));
      Object version = JsonValues.unwrap(body.get("model_version"));
      if (version != null) {
        if (!(version instanceof Integer number) || number < 0) {
          throw new InvalidRequestException("Cannot read request body: 'model_version' must be a version number"
              + " (0 for the latest) but is " + JsonValues.shown(version));
        }
        model.setVersion(number);
      }
      request.setModel(model);
    } else if (body.containsKey("model_version")) {
      throw new InvalidRequestException("Cannot read request body: 'model_version' is given without 'model'");
    }
    if (body.containsKey("experiment")) {
      request.setExperiment(string(body.get("experiment"), "experiment"));
    }
    Map<String, ValueType> keyTypes = keyTypes(definitions);
    if (body.containsKey("shared") && body.get("shared") != null) {
      request.setShared(row(body.get("shared"), keyTypes, "the shared keys"));
    }
    Object entities = JsonValues.unwrap(body.get("entities"));
    if (entities != null) {
      if (!(entities instanceof List<?> rows)) {
        throw new InvalidRequestException("Cannot read request body: 'entities' must be an array of objects of"
            + " join keys but is " + JsonValues.shown(entities));
      }
      for (int i = 0; i < rows.size(); i++) {
        request.addEntities(row(rows.get(i), keyTypes, "entity row " + i));
      }
    }
    Object include = JsonValues.unwrap(body.get("include_features"));
    if (include != null) {
      if (!(include instanceof Boolean flag)) {
        throw new InvalidRequestException("Cannot read request body: 'include_features' must be true or false but"
            + " is " + JsonValues.shown(include));
      }
      request.setIncludeFeatures(flag);
    }
    if (body.get("request_id") != null) {
      request.setRequestId(string(body.get("request_id"), "request_id"));
    }
    return request.build();
  }

  /**
   * {@code {"request_id": ..., "model": ..., "model_version": n, "experiment": ..., "variant": ...,
   * "feature_names": [...], "predictions": [{"score": s, "features": [...], "defaulted": [...]}]}}, experiment and
   * variant null without an experiment, feature_names and features only when asked for.
   */
  static Buffer response(PredictResponse response) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + response.getPredictionsCount() * 48);
    try (JsonGenerator out = JSON.createGenerator(bytes)) {
      out.writeStartObject();
      out.writeStringField("request_id", response.getRequestId());
      out.writeStringField("model", response.getModel());
      out.writeNumberField("model_version", response.getModelVersion());
      out.writeStringField("experiment", response.getExperiment().isEmpty() ? null : response.getExperiment());
      out.writeStringField("variant", response.getVariant().isEmpty() ? null : response.getVariant());
      boolean features = response.getFeatureNamesCount() > 0;
      if (features) {
        out.writeArrayFieldStart("feature_names");
        for (String name : response.getFeatureNamesList()) {
          out.writeString(name);
        }
        out.writeEndArray();
      }
      out.writeArrayFieldStart("predictions");
      for (Prediction prediction : response.getPredictionsList()) {
        out.writeStartObject();
        out.writeNumberField("score", prediction.getScore());
        if (features) {
          out.writeArrayFieldStart("features");
          for (Value value : prediction.getFeaturesList()) {
            JsonValues.write(value, out);
          }
          out.writeEndArray();
        }
        out.writeArrayFieldStart("defaulted");
        for (String name : prediction.getDefaultedList()) {
          out.writeString(name);
        }
        out.writeEndArray();
        out.writeEndObject();
      }
      out.writeEndArray();
      out.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(bytes.toByteArray());
  }

  private static EntityRow row(Object json, Map<String, ValueType> keyTypes, String where) {
    Map<String, Object> keys = JsonValues.object(json);
    if (keys == null) {
      throw new InvalidRequestException(
          "Cannot read " + where + ": it must be an object of join keys but is " + JsonValues.shown(json));
    }
    EntityRow.Builder row = EntityRow.newBuilder();
    for (Map.Entry<String, Object> key : keys.entrySet()) {
      row.putKeys(key.getKey(), JsonValues.toProto(
          key.getValue(), keyTypes.get(key.getKey()), where, "join key '" + key.getKey() + "'"));
    }
    return row.build();
  }

  /** Every defined join key's type; the predictor refuses keys its model does not need or that are mistyped. */
  private static Map<String, ValueType> keyTypes(Definitions definitions) {
    Map<String, ValueType> types = new HashMap<>();
    for (Entity entity : definitions.entities()) {
      for (JoinKey key : entity.joinKeys()) {
        types.putIfAbsent(key.name(), key.type());
      }
    }
    return types;
  }

  private static String string(Object json, String member) {
    if (!(json instanceof String text)) {
      throw new InvalidRequestException(
          "Cannot read request body: '" + member + "' must be a string but is " + JsonValues.shown(json));
    }
    return text;
  }
}
