package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * The one boundary between the feature store's value types and Arrow: the Arrow field of each value type, and
 * canonical values ({@link ValueType}) written to and read from vectors. TIMESTAMP is {@code timestamp[us, UTC]}.
 */
final class ArrowValues {
  private ArrowValues() {}

  /** A nullable field of the value type; list elements are non-null. */
  static Field field(String name, ValueType type) {
    if (type.isList()) {
      Field element = new Field("element", FieldType.notNullable(arrowType(type.elementType())), null);
      return new Field(name, FieldType.nullable(ArrowType.List.INSTANCE), List.of(element));
    }
    return new Field(name, FieldType.nullable(arrowType(type)), null);
  }

  private static ArrowType arrowType(ValueType scalar) {
    return switch (scalar) {
      case BOOL -> ArrowType.Bool.INSTANCE;
      case INT32 -> new ArrowType.Int(32, true);
      case INT64 -> new ArrowType.Int(64, true);
      case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case STRING -> ArrowType.Utf8.INSTANCE;
      case BYTES -> ArrowType.Binary.INSTANCE;
      case TIMESTAMP -> new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, "UTC");
      default -> throw new AssertionError(scalar);
    };
  }

  /**
   * The value type whose values an Arrow field holds, or null when none does. Timestamps of any unit, with or
   * without a zone, are TIMESTAMP (read as UTC microseconds).
   */
  static ValueType valueTypeOf(Field field) {
    ArrowType type = field.getType();
    if (type instanceof ArrowType.List) {
      ValueType element = field.getChildren().size() == 1 ? valueTypeOf(field.getChildren().get(0)) : null;
      return element == null || element.isList() ? null : element.listType();
    }
    if (type instanceof ArrowType.Bool) {
      return ValueType.BOOL;
    }
    if (type instanceof ArrowType.Int integer && integer.getIsSigned()) {
      return integer.getBitWidth() == 64 ? ValueType.INT64 : integer.getBitWidth() == 32 ? ValueType.INT32 : null;
    }
    if (type instanceof ArrowType.FloatingPoint floating) {
      return switch (floating.getPrecision()) {
        case SINGLE -> ValueType.FLOAT;
        case DOUBLE -> ValueType.DOUBLE;
        default -> null;
      };
    }
    if (type instanceof ArrowType.Utf8) {
      return ValueType.STRING;
    }
    if (type instanceof ArrowType.Binary) {
      return ValueType.BYTES;
    }
    if (type instanceof ArrowType.Timestamp) {
      return ValueType.TIMESTAMP;
    }
    return null;
  }

  /** Sets entry {@code index} of {@code vector} (of {@link #field}'s type) to {@code value}, or null. */
  static void set(FieldVector vector, int index, Object value, ValueType type) {
    if (value == null) {
      vector.setNull(index);
      return;
    }
    if (type.isList()) {
      ListVector list = (ListVector) vector;
      List<?> items = (List<?>) value;
      int offset = list.startNewValue(index);
      FieldVector data = list.getDataVector();
      for (int i = 0; i < items.size(); i++) {
        set(data, offset + i, items.get(i), type.elementType());
      }
      list.endValue(index, items.size());
      return;
    }
    switch (type) {
      case BOOL -> ((BitVector) vector).setSafe(index, (Boolean) value ? 1 : 0);
      case INT32 -> ((IntVector) vector).setSafe(index, (Integer) value);
      case INT64 -> ((BigIntVector) vector).setSafe(index, (Long) value);
      case FLOAT -> ((Float4Vector) vector).setSafe(index, (Float) value);
      case DOUBLE -> ((Float8Vector) vector).setSafe(index, (Double) value);
      case STRING -> ((VarCharVector) vector).setSafe(index, ((String) value).getBytes(StandardCharsets.UTF_8));
      case BYTES -> {
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        ((VarBinaryVector) vector).setSafe(index, buffer, buffer.position(), buffer.remaining());
      }
      case TIMESTAMP -> ((TimeStampMicroTZVector) vector).setSafe(index, (Long) value);
      default -> throw new AssertionError(type);
    }
  }

  /** The canonical value of entry {@code index}, null for null; {@code type} is {@link #valueTypeOf} the field. */
  static Object get(FieldVector vector, int index, ValueType type) {
    if (vector.isNull(index)) {
      return null;
    }
    if (type.isList()) {
      ListVector list = (ListVector) vector;
      int start = list.getElementStartIndex(index);
      int end = list.getElementEndIndex(index);
      List<Object> items = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        items.add(get(list.getDataVector(), i, type.elementType()));
      }
      return Collections.unmodifiableList(items);
    }
    return switch (type) {
      case BOOL -> ((BitVector) vector).get(index) != 0;
      case INT32 -> ((IntVector) vector).get(index);
      case INT64 -> ((BigIntVector) vector).get(index);
      case FLOAT -> ((Float4Vector) vector).get(index);
      case DOUBLE -> ((Float8Vector) vector).get(index);
      case STRING -> new String(((VarCharVector) vector).get(index), StandardCharsets.UTF_8);
      case BYTES -> ByteBuffer.wrap(((VarBinaryVector) vector).get(index)).asReadOnlyBuffer();
      case TIMESTAMP -> toMicros(((TimeStampVector) vector).get(index),
          ((ArrowType.Timestamp) vector.getField().getType()).getUnit());
      default -> throw new AssertionError(type);
    };
  }

  private static long toMicros(long value, org.apache.arrow.vector.types.TimeUnit unit) {
    return switch (unit) {
      case SECOND -> TimeUnit.SECONDS.toMicros(value);
      case MILLISECOND -> TimeUnit.MILLISECONDS.toMicros(value);
      case MICROSECOND -> value;
      case NANOSECOND -> Math.floorDiv(value, 1000L);
    };
  }
}
