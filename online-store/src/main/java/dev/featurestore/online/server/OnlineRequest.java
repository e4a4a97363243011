package dev.featurestore.online.server;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest.SelectionCase;
import dev.featurestore.proto.v1.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A GetOnlineFeatures request as {@link FeatureReader} reads it: the selection as sent, and each entity row's keys
 * as (name, value) pairs ({@link EntityRows}).
 *
 * <p>Why not the generated message: its entity rows are protobuf maps, and parsing them (a map entry, a builder and
 * a {@link Value} message per key, a hash map per row) was an eighth of the server's CPU for the 500-item ranking
 * request. {@link #parse} reads the same wire bytes with the generated parser's semantics (the last of repeated
 * keys wins, unknown fields are skipped, strings must be UTF-8), the common key values (int64 and string) as plain
 * {@code Long} and {@code String}.
 *
 * @param features the feature references when {@code selection} is FEATURES, else empty
 * @param featureService the feature service when {@code selection} is FEATURE_SERVICE, else empty
 * @param distinctKeys whether views whose key several rows share answer once per distinct key (serving.proto)
 */
record OnlineRequest(SelectionCase selection, List<String> features, String featureService,
    boolean fullFeatureNames, boolean distinctKeys, EntityRows entities) {

  private static final int FEATURES = tag(GetOnlineFeaturesRequest.FEATURES_FIELD_NUMBER);
  private static final int FEATURE_SERVICE = tag(GetOnlineFeaturesRequest.FEATURE_SERVICE_FIELD_NUMBER);
  private static final int ENTITIES = tag(GetOnlineFeaturesRequest.ENTITIES_FIELD_NUMBER);
  private static final int FULL_FEATURE_NAMES =
      tag(GetOnlineFeaturesRequest.FULL_FEATURE_NAMES_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
  private static final int DISTINCT_KEYS =
      tag(GetOnlineFeaturesRequest.DISTINCT_KEYS_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
  /** FeatureList.features, EntityRow.keys, and a map entry's key: all field 1, length-delimited. */
  private static final int FIELD_1 = tag(1);
  /** A map entry's value. */
  private static final int FIELD_2 = tag(2);
  private static final int INT64_VAL = tag(Value.INT64_VAL_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
  private static final int STRING_VAL = tag(Value.STRING_VAL_FIELD_NUMBER);

  OnlineRequest {
    features = List.copyOf(features);
  }

  /** The request of the generated message (the HTTP/JSON API's, and gRPC's JSON wire format). */
  static OnlineRequest of(GetOnlineFeaturesRequest request) {
    EntityRows.Builder rows = new EntityRows.Builder(request.getEntitiesCount());
    for (EntityRow row : request.getEntitiesList()) {
      for (Map.Entry<String, Value> key : row.getKeysMap().entrySet()) {
        rows.add(key.getKey(), EntityRows.plain(key.getValue()));
      }
      rows.endRow();
    }
    return new OnlineRequest(request.getSelectionCase(), request.getFeatures().getFeaturesList(),
        request.getFeatureService(), request.getFullFeatureNames(), request.getDistinctKeys(), rows.build());
  }

  /** The request of the GetOnlineFeaturesRequest wire bytes {@code bytes}. */
  static OnlineRequest parse(byte[] bytes) throws InvalidProtocolBufferException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    SelectionCase selection = SelectionCase.SELECTION_NOT_SET;
    List<String> features = new ArrayList<>();
    String service = "";
    boolean fullNames = false;
    boolean distinctKeys = false;
    EntityRows.Builder rows = new EntityRows.Builder(16);
    try {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == FEATURES) {
          if (selection != SelectionCase.FEATURES) {
            features.clear(); // the oneof was set to the service in between: a new list
          }
          // a message field sent twice is merged: its features appended
          selection = SelectionCase.FEATURES;
          int limit = in.pushLimit(in.readRawVarint32());
          for (int inner = in.readTag(); inner != 0; inner = in.readTag()) {
            if (inner == FIELD_1) {
              features.add(in.readStringRequireUtf8());
            } else {
              in.skipField(inner);
            }
          }
          in.popLimit(limit);
        } else if (tag == FEATURE_SERVICE) {
          service = in.readStringRequireUtf8();
          selection = SelectionCase.FEATURE_SERVICE;
        } else if (tag == ENTITIES) {
          int limit = in.pushLimit(in.readRawVarint32());
          for (int inner = in.readTag(); inner != 0; inner = in.readTag()) {
            if (inner == FIELD_1) {
              readKey(in, rows);
            } else {
              in.skipField(inner);
            }
          }
          in.popLimit(limit);
          rows.endRow();
        } else if (tag == FULL_FEATURE_NAMES) {
          fullNames = in.readBool();
        } else if (tag == DISTINCT_KEYS) {
          distinctKeys = in.readBool();
        } else if (!in.skipField(tag)) {
          break; // an end-group tag: where the generated parser stops too
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (java.io.IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
    return new OnlineRequest(selection, selection == SelectionCase.FEATURES ? features : List.of(),
        selection == SelectionCase.FEATURE_SERVICE ? service : "", fullNames, distinctKeys, rows.build());
  }

  /** One map entry of an EntityRow's keys: a name (field 1) and a Value (field 2), either possibly absent. */
  private static void readKey(CodedInputStream in, EntityRows.Builder rows) throws java.io.IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String name = "";
    Object value = null;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == FIELD_1) {
        name = in.readStringRequireUtf8();
      } else if (tag == FIELD_2) {
        byte[] bytes = in.readByteArray();
        // a value sent twice in one entry is merged, as messages are
        value = value == null ? plainValue(bytes)
            : EntityRows.plain(EntityRows.toValue(value).toBuilder().mergeFrom(bytes).build());
      } else {
        in.skipField(tag);
      }
    }
    in.popLimit(limit);
    rows.add(name, value == null ? EntityRows.plain(Value.getDefaultInstance()) : value);
  }

  /** A Value's wire bytes as {@link EntityRows} holds them: one int64 or string field read directly. */
  private static Object plainValue(byte[] bytes) throws java.io.IOException {
    if (bytes.length > 1 && (bytes[0] == INT64_VAL || bytes[0] == STRING_VAL)) {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      int tag = in.readTag();
      Object value = tag == INT64_VAL ? (Object) in.readInt64() : in.readStringRequireUtf8();
      if (in.isAtEnd()) {
        return value;
      }
    }
    return EntityRows.plain(Value.parseFrom(bytes));
  }

  private static int tag(int field) {
    return tag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  }

  /** A field's tag as the wire has it (protobuf's own WireFormat.makeTag is not public). */
  private static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  /**
   * The entity rows of a request: per row its keys as (name, value) pairs in the order sent. A value is a {@code
   * Long} for an int64 value, a {@code String} for a string value, else the {@link Value} itself ({@link #plain}).
   */
  static final class EntityRows {
    /** Row {@code r}'s pairs are {@code starts[r] .. starts[r + 1] - 1}. */
    private final int[] starts;
    private final String[] names;
    private final Object[] values;

    private EntityRows(int[] starts, String[] names, Object[] values) {
      this.starts = starts;
      this.names = names;
      this.values = values;
    }

    int count() {
      return starts.length - 1;
    }

    /** The value of key {@code name} in row {@code row}, or null when the row has none; the last one sent wins. */
    Object value(int row, String name) {
      for (int i = starts[row + 1] - 1; i >= starts[row]; i--) {
        if (names[i].equals(name)) {
          return values[i];
        }
      }
      return null;
    }

    /** A wire value as held here: int64 and string values unwrapped. */
    static Object plain(Value value) {
      return switch (value.getKindCase()) {
        case INT64_VAL -> value.getInt64Val();
        case STRING_VAL -> value.getStringVal();
        default -> value;
      };
    }

    /** A value held here ({@link #plain}) as the wire value it was. */
    static Value toValue(Object held) {
      if (held instanceof Long integer) {
        return Value.newBuilder().setInt64Val(integer).build();
      }
      if (held instanceof String text) {
        return Value.newBuilder().setStringVal(text).build();
      }
      return (Value) held;
    }

    static final class Builder {
      private int[] starts;
      private String[] names = new String[16];
      private Object[] values = new Object[16];
      private int rows;
      private int pairs;

      Builder(int expectedRows) {
        starts = new int[Math.max(2, expectedRows + 1)];
      }

      void add(String name, Object value) {
        if (pairs == names.length) {
          names = Arrays.copyOf(names, 2 * pairs);
          values = Arrays.copyOf(values, 2 * pairs);
        }
        names[pairs] = name;
        values[pairs++] = value;
      }

      void endRow() {
        if (rows + 2 > starts.length) {
          starts = Arrays.copyOf(starts, 2 * starts.length);
        }
        starts[++rows] = pairs;
      }

      EntityRows build() {
        return new EntityRows(Arrays.copyOf(starts, rows + 1), names, values);
      }
    }
  }
}
