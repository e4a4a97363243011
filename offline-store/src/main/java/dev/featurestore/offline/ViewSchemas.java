package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import dev.featurestore.offline.internal.IcebergTypes;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Names;
import java.nio.ByteBuffer;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;

/**
 * The one boundary between the feature store's value types and Iceberg: table schemas of views, and values
 * converted between the canonical Java representation ({@link ValueType}) and Iceberg's generic one.
 */
final class ViewSchemas {
  static final String EVENT_TIMESTAMP = Names.EVENT_TIMESTAMP;
  static final String CREATED_TIMESTAMP = Names.CREATED_TIMESTAMP;

  private ViewSchemas() {}

  /** The table schema of a view; field ids are placeholders that the catalog reassigns. */
  static Schema tableSchema(List<JoinKey> keys, FeatureView view) {
    List<Types.NestedField> fields = new ArrayList<>();
    int[] id = {0};
    for (JoinKey key : keys) {
      fields.add(Types.NestedField.required(++id[0], key.name(), icebergType(key.type(), id)));
    }
    fields.add(Types.NestedField.required(++id[0], EVENT_TIMESTAMP, Types.TimestampType.withZone()));
    fields.add(Types.NestedField.required(++id[0], CREATED_TIMESTAMP, Types.TimestampType.withZone()));
    for (Feature feature : view.features()) {
      fields.add(Types.NestedField.optional(++id[0], feature.name(), icebergType(feature.type(), id)));
    }
    return new Schema(fields);
  }

  /** The Iceberg type of a value type; {@code nextId} supplies ids for list elements. */
  static Type icebergType(ValueType type, int[] nextId) {
    return IcebergTypes.of(type, nextId);
  }

  /** Whether an existing table column has the type a value type asks for (list element ids aside). */
  static boolean sameType(Type column, ValueType type) {
    ValueType actual = valueTypeOf(column);
    return actual == type && (type.elementType() != ValueType.TIMESTAMP || isTimestamptz(column));
  }

  private static boolean isTimestamptz(Type type) {
    Type scalar = type.isListType() ? type.asListType().elementType() : type;
    return scalar instanceof Types.TimestampType ts && ts.shouldAdjustToUTC();
  }

  /**
   * The value type whose values an Iceberg column holds, or null when none does (maps, structs, decimals...).
   * Timestamps with or without zone, in micros or nanos, are TIMESTAMP; fixed is BYTES.
   */
  static ValueType valueTypeOf(Type type) {
    if (type.isListType()) {
      ValueType element = valueTypeOf(type.asListType().elementType());
      return element == null || element.isList() ? null : element.listType();
    }
    return switch (type.typeId()) {
      case BOOLEAN -> ValueType.BOOL;
      case INTEGER -> ValueType.INT32;
      case LONG -> ValueType.INT64;
      case FLOAT -> ValueType.FLOAT;
      case DOUBLE -> ValueType.DOUBLE;
      case STRING -> ValueType.STRING;
      case BINARY, FIXED -> ValueType.BYTES;
      case TIMESTAMP, TIMESTAMP_NANO -> ValueType.TIMESTAMP;
      default -> null;
    };
  }

  /**
   * Whether values of {@code source} may be stored as {@code target} without losing information: the same type,
   * or a widening ({@code INT32} to {@code INT64}/{@code FLOAT}/{@code DOUBLE}, {@code FLOAT} to {@code DOUBLE},
   * {@code INT64} epoch microseconds to {@code TIMESTAMP}), element-wise for lists.
   */
  static boolean widens(ValueType source, ValueType target) {
    if (source == target) {
      return true;
    }
    if (source.isList() != target.isList()) {
      return false;
    }
    ValueType from = source.elementType();
    ValueType to = target.elementType();
    return switch (from) {
      case INT32 -> to == ValueType.INT64 || to == ValueType.FLOAT || to == ValueType.DOUBLE;
      case FLOAT -> to == ValueType.DOUBLE;
      case INT64 -> to == ValueType.TIMESTAMP;
      default -> false;
    };
  }

  /**
   * Per top-level field of a Parquet file's schema, in order: whether it holds timestamps (or lists of them) in
   * nanoseconds. Iceberg reads such a column as {@code timestamptz} yet its internal reader returns the stored
   * nanoseconds unconverted, where microseconds are meant; files from pandas and pyarrow are like that.
   */
  static boolean[] nanosecondColumns(MessageType fileType) {
    boolean[] nanos = new boolean[fileType.getFieldCount()];
    for (int i = 0; i < nanos.length; i++) {
      org.apache.parquet.schema.Type field = fileType.getType(i);
      while (!field.isPrimitive() && field.asGroupType().getFieldCount() == 1) {
        field = field.asGroupType().getType(0); // a list's repeated group and element
      }
      nanos[i] = field.isPrimitive()
          && field.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
          && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.NANOS;
    }
    return nanos;
  }

  /** A value of a {@link #nanosecondColumns} column as Iceberg's internal reader gave it, in microseconds. */
  static Object nanosAsMicros(Object value) {
    if (value instanceof List<?> list) {
      List<Object> micros = new ArrayList<>(list.size());
      for (Object item : list) {
        micros.add(item == null ? null : DateTimeUtil.nanosToMicros((Long) item));
      }
      return micros;
    }
    return value == null ? null : DateTimeUtil.nanosToMicros((Long) value);
  }

  /**
   * Converts a generic Iceberg value of a column whose {@link #valueTypeOf} is {@code source} to the canonical
   * representation of {@code source}; null stays null.
   */
  static Object fromIceberg(Object value, ValueType source) {
    if (value == null) {
      return null;
    }
    if (source.isList()) {
      List<?> list = (List<?>) value;
      List<Object> out = new ArrayList<>(list.size());
      for (Object item : list) {
        out.add(fromIceberg(item, source.elementType()));
      }
      return Collections.unmodifiableList(out);
    }
    return switch (source) {
      case TIMESTAMP -> {
        if (value instanceof OffsetDateTime odt) {
          yield DateTimeUtil.microsFromTimestamptz(odt);
        }
        if (value instanceof LocalDateTime ldt) {
          yield DateTimeUtil.microsFromTimestamp(ldt);
        }
        yield ((Number) value).longValue();
      }
      case BYTES -> value instanceof byte[] bytes
          ? ByteBuffer.wrap(bytes.clone()).asReadOnlyBuffer()
          : ((ByteBuffer) value).asReadOnlyBuffer();
      default -> value;
    };
  }
}
