package dev.featurestore.offline.predictions;

import dev.featurestore.api.ValueType;
import dev.featurestore.offline.internal.IcebergTypes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;

/** The column layout of a prediction log table and the conversion of logged values to Iceberg's generic ones. */
final class LogSchema {
  static final String REQUEST_ID = "request_id";
  static final String ROW_INDEX = "row_index";
  static final String PREDICTION_TIMESTAMP = "prediction_timestamp";
  static final String MODEL_VERSION = "model_version";
  static final String EXPERIMENT = "experiment";
  static final String VARIANT = "variant";
  static final String UNIT = "unit";
  static final String SCORE = "score";
  static final String DEFAULTED = "defaulted";
  static final String SHADOW_SCORES = "shadow_scores";

  /** Names that no key or feature column of a batch may take. */
  static final Set<String> RESERVED = Set.of(REQUEST_ID, ROW_INDEX, PREDICTION_TIMESTAMP, MODEL_VERSION, EXPERIMENT,
      VARIANT, UNIT, SCORE, DEFAULTED, SHADOW_SCORES);

  private LogSchema() {}

  /**
   * A new table's schema: the leading columns, the batch's own columns in order, then the score columns. Field ids
   * are placeholders that the catalog reassigns.
   */
  static Schema initial(List<String> names, List<ValueType> types) {
    int[] id = {0};
    List<Types.NestedField> fields = new ArrayList<>();
    fields.add(Types.NestedField.required(++id[0], REQUEST_ID, Types.StringType.get()));
    fields.add(Types.NestedField.required(++id[0], ROW_INDEX, Types.IntegerType.get()));
    fields.add(Types.NestedField.required(++id[0], PREDICTION_TIMESTAMP, Types.TimestampType.withZone()));
    fields.add(Types.NestedField.required(++id[0], MODEL_VERSION, Types.IntegerType.get()));
    fields.add(Types.NestedField.optional(++id[0], EXPERIMENT, Types.StringType.get()));
    fields.add(Types.NestedField.optional(++id[0], VARIANT, Types.StringType.get()));
    fields.add(Types.NestedField.optional(++id[0], UNIT, Types.StringType.get()));
    for (int i = 0; i < names.size(); i++) {
      fields.add(Types.NestedField.optional(++id[0], names.get(i), icebergType(types.get(i), id)));
    }
    fields.add(Types.NestedField.required(++id[0], SCORE, Types.DoubleType.get()));
    fields.add(Types.NestedField.optional(++id[0], DEFAULTED,
        Types.ListType.ofRequired(++id[0], Types.StringType.get())));
    fields.add(Types.NestedField.optional(++id[0], SHADOW_SCORES,
        Types.MapType.ofRequired(++id[0], ++id[0], Types.StringType.get(), Types.DoubleType.get())));
    return new Schema(fields);
  }

  /** The Iceberg type of a value type; {@code nextId} supplies ids for list elements. */
  static Type icebergType(ValueType type, int[] nextId) {
    return IcebergTypes.of(type, nextId);
  }

  /** Whether a table column has the type a logged column's value type asks for (ids aside). */
  static boolean sameType(Type column, ValueType type) {
    // the string form of a type names its structure and element types ("list<timestamptz>"), not its field ids
    return column.toString().equals(icebergType(type, new int[] {0}).toString());
  }

  /** A canonical value of {@code type} as Iceberg's generic value; null stays null. */
  static Object toIceberg(Object value, ValueType type) {
    if (value == null) {
      return null;
    }
    if (type.isList()) {
      List<Object> out = new ArrayList<>();
      for (Object item : (List<?>) value) {
        out.add(toIceberg(item, type.elementType()));
      }
      return out;
    }
    return switch (type) {
      case TIMESTAMP -> DateTimeUtil.timestamptzFromMicros((Long) value);
      case BYTES -> ((ByteBuffer) value).duplicate();
      default -> value;
    };
  }
}
