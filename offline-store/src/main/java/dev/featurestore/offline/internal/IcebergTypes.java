package dev.featurestore.offline.internal;

import dev.featurestore.api.ValueType;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** The Iceberg type of each value type: one mapping for feature tables and the prediction log. */
public final class IcebergTypes {
  private IcebergTypes() {}

  /** The Iceberg type of a value type; {@code nextId} supplies ids for list elements. */
  public static Type of(ValueType type, int[] nextId) {
    if (type.isList()) {
      return Types.ListType.ofRequired(++nextId[0], of(type.elementType(), nextId));
    }
    return switch (type) {
      case BOOL -> Types.BooleanType.get();
      case INT32 -> Types.IntegerType.get();
      case INT64 -> Types.LongType.get();
      case FLOAT -> Types.FloatType.get();
      case DOUBLE -> Types.DoubleType.get();
      case STRING -> Types.StringType.get();
      case BYTES -> Types.BinaryType.get();
      case TIMESTAMP -> Types.TimestampType.withZone();
      default -> throw new AssertionError(type);
    };
  }
}
