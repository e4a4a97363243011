package dev.featurestore.sdk;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.proto.ProtoDefinitions;
import dev.featurestore.api.proto.ProtoColumns;
import dev.featurestore.api.proto.ProtoValues;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.FeatureList;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.ObjectChange;
import dev.featurestore.proto.v1.PushRequest;
import dev.featurestore.proto.v1.Value;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Converts between the SDK's requests and results and their wire messages. */
final class WireConversions {
  private WireConversions() {}

  static GetOnlineFeaturesRequest toProto(OnlineRequest request) {
    GetOnlineFeaturesRequest.Builder b = GetOnlineFeaturesRequest.newBuilder()
        .setFullFeatureNames(request.naming() == FeatureNaming.FULL)
        // fromProto reads per-distinct-key views: rows sharing a key (one user, many items) cost its values once
        .setDistinctKeys(true);
    if (request.featureService() != null) {
      b.setFeatureService(request.featureService());
    } else {
      b.setFeatures(FeatureList.newBuilder()
          .addAllFeatures(request.features().stream().map(FeatureRef::toString).toList()));
    }
    List<Map<String, Object>> rows = request.entityRows();
    for (int i = 0; i < rows.size(); i++) {
      EntityRow.Builder row = EntityRow.newBuilder();
      for (Map.Entry<String, Object> key : rows.get(i).entrySet()) {
        row.putKeys(key.getKey(), inferred(key.getValue(), "entity row " + i + " key '" + key.getKey() + "'"));
      }
      b.addEntities(row);
    }
    return b.build();
  }

  static dev.featurestore.proto.v1.PredictRequest toProto(PredictionRequest request) {
    dev.featurestore.proto.v1.PredictRequest.Builder b = dev.featurestore.proto.v1.PredictRequest.newBuilder()
        .setIncludeFeatures(request.includeFeatures());
    if (request.model() != null) {
      b.setModel(dev.featurestore.proto.v1.ModelRef.newBuilder().setName(request.model())
          .setVersion(request.modelVersion()));
    } else {
      b.setExperiment(request.experiment());
    }
    b.setShared(keys(request.shared(), "shared keys"));
    for (int i = 0; i < request.rows().size(); i++) {
      b.addEntities(keys(request.rows().get(i), "entity row " + i));
    }
    return b.build();
  }

  private static EntityRow keys(Map<String, Object> keys, String where) {
    EntityRow.Builder row = EntityRow.newBuilder();
    for (Map.Entry<String, Object> key : keys.entrySet()) {
      row.putKeys(key.getKey(), inferred(key.getValue(), where + " key '" + key.getKey() + "'"));
    }
    return row.build();
  }

  static Predictions fromProto(dev.featurestore.proto.v1.PredictResponse response) {
    List<Predictions.Scored> rows = new ArrayList<>(response.getPredictionsCount());
    for (dev.featurestore.proto.v1.Prediction prediction : response.getPredictionsList()) {
      List<Object> features = new ArrayList<>(prediction.getFeaturesCount());
      prediction.getFeaturesList().forEach(value -> features.add(ProtoValues.fromProto(value)));
      rows.add(new Predictions.Scored(prediction.getScore(), features, prediction.getDefaultedList()));
    }
    return new Predictions(response.getRequestId(), response.getModel(), response.getModelVersion(),
        response.getExperiment().isEmpty() ? null : response.getExperiment(),
        response.getVariant().isEmpty() ? null : response.getVariant(), response.getFeatureNamesList(), rows);
  }

  /** The columnar wire response (see serving.proto) as the SDK's row-wise response. */
  static OnlineResponse fromProto(GetOnlineFeaturesResponse response) {
    List<FeatureRef> refs = response.getFeatureRefsList().stream().map(FeatureRef::parse).toList();
    int entities = response.getEntityCount();
    int columnCount = response.getColumnsCount();
    if (columnCount != response.getFeatureNamesCount()) {
      throw new InvalidRequestException("Cannot read online response: " + response.getFeatureNamesCount()
          + " names but " + columnCount + " columns");
    }
    ProtoColumns.ResponseRows read = ProtoColumns.rows(response);
    List<List<OnlineResponse.FeatureValue>> rows = new ArrayList<>(entities);
    for (int r = 0; r < entities; r++) {
      List<OnlineResponse.FeatureValue> values = new ArrayList<>(columnCount);
      for (int c = 0; c < columnCount; c++) {
        values.add(new OnlineResponse.FeatureValue(read.value(r, c), status(read.status(r, c), r, c),
            read.eventTimestamp(r, c)));
      }
      rows.add(values);
    }
    return new OnlineResponse(response.getFeatureNamesList(), refs, rows);
  }

  private static FeatureStatus status(dev.featurestore.proto.v1.FeatureStatus status, int row, int column) {
    return switch (status) {
      case PRESENT -> FeatureStatus.PRESENT;
      case NOT_FOUND -> FeatureStatus.NOT_FOUND;
      case OUTSIDE_MAX_AGE -> FeatureStatus.OUTSIDE_MAX_AGE;
      case NULL_VALUE -> FeatureStatus.NULL_VALUE;
      case FEATURE_STATUS_UNSPECIFIED, UNRECOGNIZED -> throw new InvalidRequestException(
          "Cannot read online response: row " + row + " column " + column + " has no status");
    };
  }

  /**
   * The push request for {@code rows}, each value converted to the type the view declares.
   *
   * @throws InvalidRequestException naming the row and key or feature that does not fit
   * @throws dev.featurestore.api.error.NotFoundException when the view is not defined
   */
  static PushRequest toPush(String viewName, List<PushRow> rows, Definitions definitions) {
    FeatureView view = definitions.requireView(viewName);
    List<JoinKey> joinKeys = definitions.joinKeys(view);
    PushRequest.Builder request = PushRequest.newBuilder().setFeatureView(viewName);
    for (int i = 0; i < rows.size(); i++) {
      PushRow row = rows.get(i);
      String where = "Cannot push row " + i + " to feature view '" + viewName + "': ";
      dev.featurestore.proto.v1.PushRow.Builder out = dev.featurestore.proto.v1.PushRow.newBuilder()
          .setEventTimestamp(row.eventTimestamp())
          .setCreatedTimestamp(row.createdTimestamp());
      for (JoinKey key : joinKeys) {
        Object value = row.keys().get(key.name());
        if (value == null) {
          throw new InvalidRequestException(where + "join key '" + key.name() + "' (" + key.type() + ") is missing");
        }
        out.putKeys(key.name(), exact(value, key.type(), key.name(), where));
      }
      for (String name : row.keys().keySet()) {
        if (joinKeys.stream().noneMatch(k -> k.name().equals(name))) {
          throw new InvalidRequestException(where + "'" + name + "' is not one of its join keys "
              + joinKeys.stream().map(JoinKey::name).toList());
        }
      }
      for (Map.Entry<String, Object> feature : row.features().entrySet()) {
        Optional<dev.featurestore.api.definition.Feature> declared = view.feature(feature.getKey());
        if (declared.isEmpty()) {
          throw new InvalidRequestException(where + "the view has no feature '" + feature.getKey() + "'");
        }
        out.putFeatures(feature.getKey(), exact(feature.getValue(), declared.get().type(), feature.getKey(), where));
      }
      request.addRows(out);
    }
    return request.build();
  }

  /** The wire form of a value of a declared type, converting without loss (Instant to microseconds included). */
  static Value exact(Object value, ValueType type, String field, String where) {
    try {
      Object converted = type.elementType() == ValueType.TIMESTAMP ? instantsToMicros(value) : value;
      return ProtoValues.toProto(type.coerce(converted, field), type);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException(where + lowerFirst(e.getMessage()), e);
    }
  }

  /**
   * The wire form of a value whose type is inferred from its Java class: Boolean BOOL, Integer (Short, Byte) INT32,
   * Long INT64, Float FLOAT, Double DOUBLE, String STRING, byte[] or ByteBuffer BYTES, Instant TIMESTAMP, a List the
   * list type of its first element.
   */
  static Value inferred(Object value, String field) {
    ValueType type = inferType(value, field);
    Object converted = type.elementType() == ValueType.TIMESTAMP ? instantsToMicros(value) : value;
    return ProtoValues.toProto(type.coerce(converted, field), type);
  }

  private static ValueType inferType(Object value, String field) {
    if (value instanceof List<?> list) {
      if (list.isEmpty() || list.get(0) == null) {
        throw new InvalidRequestException("Cannot use value for " + field
            + ": the type of an empty list or one starting with null cannot be inferred");
      }
      ValueType element = inferType(list.get(0), field);
      if (element.isList()) {
        throw new InvalidRequestException("Cannot use value for " + field + ": nested lists are not a value type");
      }
      return element.listType();
    }
    if (value instanceof Boolean) {
      return ValueType.BOOL;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ValueType.INT32;
    }
    if (value instanceof Long) {
      return ValueType.INT64;
    }
    if (value instanceof Float) {
      return ValueType.FLOAT;
    }
    if (value instanceof Double) {
      return ValueType.DOUBLE;
    }
    if (value instanceof String) {
      return ValueType.STRING;
    }
    if (value instanceof byte[] || value instanceof ByteBuffer) {
      return ValueType.BYTES;
    }
    if (value instanceof Instant) {
      return ValueType.TIMESTAMP;
    }
    throw new InvalidRequestException("Cannot use value for " + field + ": Java type "
        + value.getClass().getName() + " has no value type");
  }

  private static Object instantsToMicros(Object value) {
    if (value instanceof Instant instant) {
      return micros(instant);
    }
    if (value instanceof List<?> list && list.stream().anyMatch(Instant.class::isInstance)) {
      return list.stream().map(item -> item instanceof Instant instant ? (Object) micros(instant) : item).toList();
    }
    return value;
  }

  private static long micros(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  static DefinitionsPlan fromProto(dev.featurestore.proto.v1.PlanResponse response) {
    return new DefinitionsPlan(response.getBaseVersion(), changes(response.getChangesList()),
        response.getViolationsList());
  }

  static ApplyOutcome fromProto(dev.featurestore.proto.v1.ApplyResponse response) {
    return new ApplyOutcome(response.getVersion(), changes(response.getChangesList()));
  }

  static VersionedDefinitions fromProto(dev.featurestore.proto.v1.GetDefinitionsResponse response) {
    return new VersionedDefinitions(response.getVersion(), ProtoDefinitions.fromProto(response.getDefinitions()));
  }

  private static List<DefinitionChange> changes(List<ObjectChange> changes) {
    List<DefinitionChange> out = new ArrayList<>(changes.size());
    for (ObjectChange change : changes) {
      DefinitionChange.Action action = switch (change.getAction()) {
        case ADDED -> DefinitionChange.Action.ADDED;
        case CHANGED -> DefinitionChange.Action.CHANGED;
        case REMOVED -> DefinitionChange.Action.REMOVED;
        case ACTION_UNSPECIFIED, UNRECOGNIZED -> throw new InvalidRequestException(
            "Cannot read change of '" + change.getName() + "': its action is not set");
      };
      DefinitionChange.Kind kind = switch (change.getKind()) {
        case ENTITY -> DefinitionChange.Kind.ENTITY;
        case FEATURE_VIEW -> DefinitionChange.Kind.FEATURE_VIEW;
        case FEATURE_SERVICE -> DefinitionChange.Kind.FEATURE_SERVICE;
        case MODEL -> DefinitionChange.Kind.MODEL;
        case EXPERIMENT -> DefinitionChange.Kind.EXPERIMENT;
        case KIND_UNSPECIFIED, UNRECOGNIZED -> throw new InvalidRequestException(
            "Cannot read change of '" + change.getName() + "': its kind is not set");
      };
      out.add(new DefinitionChange(action, kind, change.getName(), change.getFieldsList().stream()
          .map(f -> new DefinitionChange.FieldChange(f.getField(), f.getOldValue(), f.getNewValue()))
          .toList()));
    }
    return out;
  }

  private static String lowerFirst(String message) {
    return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
  }
}
