package dev.featurestore.api.proto;

import com.google.protobuf.ByteString;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.proto.v1.BoolList;
import dev.featurestore.proto.v1.BytesList;
import dev.featurestore.proto.v1.DoubleList;
import dev.featurestore.proto.v1.FloatList;
import dev.featurestore.proto.v1.Int32List;
import dev.featurestore.proto.v1.Int64List;
import dev.featurestore.proto.v1.StringList;
import dev.featurestore.proto.v1.Value;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Converts feature values between their Java representation ({@link ValueType}) and the wire {@link Value}. */
public final class ProtoValues {
  private static final Value NULL = Value.getDefaultInstance();

  private ProtoValues() {}

  /** The wire form of a Java value of {@code type}; null becomes the empty {@link Value}. */
  @SuppressWarnings("unchecked")
  public static Value toProto(Object value, ValueType type) {
    if (value == null) {
      return NULL;
    }
    Value.Builder b = Value.newBuilder();
    switch (type) {
      case BOOL -> b.setBoolVal((Boolean) value);
      case INT32 -> b.setInt32Val((Integer) value);
      case INT64 -> b.setInt64Val((Long) value);
      case FLOAT -> b.setFloatVal((Float) value);
      case DOUBLE -> b.setDoubleVal((Double) value);
      case STRING -> b.setStringVal((String) value);
      case BYTES -> b.setBytesVal(ByteString.copyFrom(((ByteBuffer) value).duplicate()));
      case TIMESTAMP -> b.setTimestampVal((Long) value);
      case BOOL_LIST -> b.setBoolListVal(BoolList.newBuilder().addAllValues((List<Boolean>) value));
      case INT32_LIST -> b.setInt32ListVal(Int32List.newBuilder().addAllValues((List<Integer>) value));
      case INT64_LIST -> b.setInt64ListVal(Int64List.newBuilder().addAllValues((List<Long>) value));
      case FLOAT_LIST -> b.setFloatListVal(FloatList.newBuilder().addAllValues((List<Float>) value));
      case DOUBLE_LIST -> b.setDoubleListVal(DoubleList.newBuilder().addAllValues((List<Double>) value));
      case STRING_LIST -> b.setStringListVal(StringList.newBuilder().addAllValues((List<String>) value));
      case BYTES_LIST -> {
        BytesList.Builder list = BytesList.newBuilder();
        for (ByteBuffer item : (List<ByteBuffer>) value) {
          list.addValues(ByteString.copyFrom(item.duplicate()));
        }
        b.setBytesListVal(list);
      }
      case TIMESTAMP_LIST -> b.setTimestampListVal(Int64List.newBuilder().addAllValues((List<Long>) value));
    }
    return b.build();
  }

  /**
   * The Java value of a wire value that must be of {@code type} (null for the empty value). Integers widen to
   * wider integer types, INT32 and FLOAT to DOUBLE; anything else that does not match is refused.
   *
   * @param field the name to report
   * @throws InvalidRequestException naming {@code field} and both types on a mismatch
   */
  public static Object fromProto(Value value, ValueType type, String field) {
    Object raw = fromProto(value);
    if (raw == null) {
      return null;
    }
    ValueType sent = typeOf(value);
    boolean timestampAsInteger = type == ValueType.TIMESTAMP && sent == ValueType.INT64
        || type == ValueType.TIMESTAMP_LIST && sent == ValueType.INT64_LIST;
    boolean integerAsTimestamp = type == ValueType.INT64 && sent == ValueType.TIMESTAMP;
    if (sent != type && !timestampAsInteger && !integerAsTimestamp && !widens(sent, type)) {
      throw new InvalidRequestException(
          "Cannot use value for '" + field + "': expected " + type + " but got " + sent);
    }
    return type.coerce(raw, field);
  }

  private static boolean widens(ValueType from, ValueType to) {
    return switch (to) {
      case INT64 -> from == ValueType.INT32;
      case DOUBLE -> from == ValueType.INT32 || from == ValueType.FLOAT;
      case INT64_LIST -> from == ValueType.INT32_LIST;
      case DOUBLE_LIST -> from == ValueType.INT32_LIST || from == ValueType.FLOAT_LIST;
      default -> false;
    };
  }

  /** The type a wire value carries, or null for the empty (null) value. */
  public static ValueType typeOf(Value value) {
    return switch (value.getKindCase()) {
      case BOOL_VAL -> ValueType.BOOL;
      case INT32_VAL -> ValueType.INT32;
      case INT64_VAL -> ValueType.INT64;
      case FLOAT_VAL -> ValueType.FLOAT;
      case DOUBLE_VAL -> ValueType.DOUBLE;
      case STRING_VAL -> ValueType.STRING;
      case BYTES_VAL -> ValueType.BYTES;
      case TIMESTAMP_VAL -> ValueType.TIMESTAMP;
      case BOOL_LIST_VAL -> ValueType.BOOL_LIST;
      case INT32_LIST_VAL -> ValueType.INT32_LIST;
      case INT64_LIST_VAL -> ValueType.INT64_LIST;
      case FLOAT_LIST_VAL -> ValueType.FLOAT_LIST;
      case DOUBLE_LIST_VAL -> ValueType.DOUBLE_LIST;
      case STRING_LIST_VAL -> ValueType.STRING_LIST;
      case BYTES_LIST_VAL -> ValueType.BYTES_LIST;
      case TIMESTAMP_LIST_VAL -> ValueType.TIMESTAMP_LIST;
      case KIND_NOT_SET -> null;
    };
  }

  /** The Java value a wire value carries in the representation of its own type, or null. */
  public static Object fromProto(Value value) {
    return switch (value.getKindCase()) {
      case BOOL_VAL -> value.getBoolVal();
      case INT32_VAL -> value.getInt32Val();
      case INT64_VAL -> value.getInt64Val();
      case FLOAT_VAL -> value.getFloatVal();
      case DOUBLE_VAL -> value.getDoubleVal();
      case STRING_VAL -> value.getStringVal();
      case BYTES_VAL -> value.getBytesVal().asReadOnlyByteBuffer();
      case TIMESTAMP_VAL -> value.getTimestampVal();
      case BOOL_LIST_VAL -> List.copyOf(value.getBoolListVal().getValuesList());
      case INT32_LIST_VAL -> List.copyOf(value.getInt32ListVal().getValuesList());
      case INT64_LIST_VAL -> List.copyOf(value.getInt64ListVal().getValuesList());
      case FLOAT_LIST_VAL -> List.copyOf(value.getFloatListVal().getValuesList());
      case DOUBLE_LIST_VAL -> List.copyOf(value.getDoubleListVal().getValuesList());
      case STRING_LIST_VAL -> List.copyOf(value.getStringListVal().getValuesList());
      case BYTES_LIST_VAL -> {
        List<ByteBuffer> items = new ArrayList<>();
        for (ByteString item : value.getBytesListVal().getValuesList()) {
          items.add(item.asReadOnlyByteBuffer());
        }
        yield Collections.unmodifiableList(items);
      }
      case TIMESTAMP_LIST_VAL -> List.copyOf(value.getTimestampListVal().getValuesList());
      case KIND_NOT_SET -> null;
    };
  }
}
