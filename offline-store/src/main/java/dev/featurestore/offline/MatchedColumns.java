package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * The feature values of the view rows some entity row matched, a column per feature: primitive arrays for the
 * numeric types, UTF-8 bytes for strings (shared per dictionary entry), canonical objects only for bytes and lists.
 * Rows are numbered densely, {@code 0 .. rows - 1}; a value not set is null. Why columns: a boxed value and an
 * {@code Object[]} per matched row, then unboxed again into the Arrow vectors, were most of the values pass and of
 * filling the output, with the heap they took measured by sampling.
 */
final class MatchedColumns {
  private final ValueType[] types;
  private final int rows;
  /** Per feature: long[] (INT64, TIMESTAMP), int[], double[], float[], boolean[], byte[][] (STRING), Object[]. */
  private final Object[] values;
  /** Per feature, a bit per row: set when the row has a value. */
  private final long[][] present;
  /** The heap of the strings and objects held, estimated as {@link ValueCodec} does. */
  private long variableBytes;

  MatchedColumns(ValueType[] types, int rows) {
    this.types = types.clone();
    this.rows = rows;
    this.values = new Object[types.length];
    this.present = new long[types.length][(rows + 63) >>> 6];
    for (int f = 0; f < types.length; f++) {
      values[f] = switch (types[f]) {
        case INT64, TIMESTAMP -> new long[rows];
        case INT32 -> new int[rows];
        case DOUBLE -> new double[rows];
        case FLOAT -> new float[rows];
        case BOOL -> new boolean[rows];
        case STRING -> new byte[rows][];
        default -> new Object[rows];
      };
    }
  }

  /** The heap {@code rows} matched rows of {@code types} take before any string or object is held. */
  static long fixedBytes(ValueType[] types, int rows) {
    long bytes = 0;
    for (ValueType type : types) {
      int width = switch (type) {
        case INT64, TIMESTAMP, DOUBLE -> 8;
        case BOOL -> 1;
        case INT32, FLOAT -> 4;
        default -> 8; // a reference
      };
      bytes += 16 + (long) width * rows + 8L * ((rows + 63) >>> 6);
    }
    return bytes;
  }

  /** The heap taken so far, arrays and the strings and objects held. */
  long heapBytes() {
    return fixedBytes(types, rows) + variableBytes;
  }

  /** Reads feature {@code f} of row {@code row} from {@code column}'s current row, which it moves past. */
  void read(int f, int row, ParquetColumns.Column column) {
    if (types[f].isList() || types[f] == ValueType.BYTES) {
      // next() tells a null list from an empty one; isNull() is for scalars
      set(f, row, column.next());
      return;
    }
    if (column.isNull()) {
      column.skip();
      return;
    }
    switch (types[f]) {
      case INT64, TIMESTAMP -> ((long[]) values[f])[row] = column.nextLong();
      case INT32 -> ((int[]) values[f])[row] = (int) column.nextLong();
      case DOUBLE -> ((double[]) values[f])[row] = column.nextDouble();
      case FLOAT -> ((float[]) values[f])[row] = column.nextFloat();
      case BOOL -> ((boolean[]) values[f])[row] = column.nextBoolean();
      case STRING -> {
        byte[] utf8 = column.nextUtf8();
        ((byte[][]) values[f])[row] = utf8;
        variableBytes += 16 + utf8.length;
      }
      default -> throw new AssertionError(types[f]);
    }
    present[f][row >>> 6] |= 1L << row;
  }

  /** Sets feature {@code f} of row {@code row} to a canonical value (null leaves it null). */
  void set(int f, int row, Object value) {
    if (value == null) {
      return;
    }
    switch (types[f]) {
      case INT64, TIMESTAMP -> ((long[]) values[f])[row] = (Long) value;
      case INT32 -> ((int[]) values[f])[row] = (Integer) value;
      case DOUBLE -> ((double[]) values[f])[row] = (Double) value;
      case FLOAT -> ((float[]) values[f])[row] = (Float) value;
      case BOOL -> ((boolean[]) values[f])[row] = (Boolean) value;
      case STRING -> {
        byte[] utf8 = ((String) value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ((byte[][]) values[f])[row] = utf8;
        variableBytes += 16 + utf8.length;
      }
      default -> {
        ((Object[]) values[f])[row] = value;
        variableBytes += ValueCodec.heapBytes(value);
      }
    }
    present[f][row >>> 6] |= 1L << row;
  }

  /**
   * Sets entry {@code index} of the vectors of the features, {@code vectors} from {@code first} on in feature
   * order, to row {@code row}'s values; {@code row < 0} sets them null.
   */
  void copyTo(int row, List<FieldVector> vectors, int first, int index) {
    for (int f = 0; f < types.length; f++) {
      FieldVector vector = vectors.get(first + f);
      if (row < 0 || (present[f][row >>> 6] & (1L << row)) == 0) {
        vector.setNull(index);
        continue;
      }
      switch (types[f]) {
        case INT64 -> ((BigIntVector) vector).setSafe(index, ((long[]) values[f])[row]);
        case TIMESTAMP -> ((TimeStampMicroTZVector) vector).setSafe(index, ((long[]) values[f])[row]);
        case INT32 -> ((IntVector) vector).setSafe(index, ((int[]) values[f])[row]);
        case DOUBLE -> ((Float8Vector) vector).setSafe(index, ((double[]) values[f])[row]);
        case FLOAT -> ((Float4Vector) vector).setSafe(index, ((float[]) values[f])[row]);
        case BOOL -> ((BitVector) vector).setSafe(index, ((boolean[]) values[f])[row] ? 1 : 0);
        case STRING -> ((VarCharVector) vector).setSafe(index, ((byte[][]) values[f])[row]);
        default -> ArrowValues.set(vector, index, ((Object[]) values[f])[row], types[f]);
      }
    }
  }
}
