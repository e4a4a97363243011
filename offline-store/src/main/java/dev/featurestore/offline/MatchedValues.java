package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.nio.charset.StandardCharsets;
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
 * The feature values of the view rows some entity row matched, unboxed: a row's scalars as 64-bit words side by
 * side in one array (doubles and floats by their bits), its strings as UTF-8 bytes (shared per dictionary entry),
 * objects only for bytes and lists. Rows are numbered densely, {@code 0 .. rows - 1}; a value not set is null.
 *
 * <p>Why: a boxed value and an {@code Object[]} per matched row, unboxed again into the Arrow vectors, were most of
 * the values pass and of filling the output. Why a row's values side by side rather than an array per feature: the
 * output visits the matched rows in entity order, which is random against theirs, and an array per feature made
 * that a cache miss per value instead of about one per row.
 */
final class MatchedValues {
  private final ValueType[] types;
  private final int rows;
  /** Per feature, its index among the row's words, strings or objects. */
  private final int[] slot;
  private final int wordsPerRow;
  private final int stringsPerRow;
  private final int objectsPerRow;
  private final int presentPerRow;
  private final long[] words;
  private final byte[][] strings;
  private final Object[] objects;
  /** Per row, a bit per feature: set when the row has a value. */
  private final long[] present;
  /** The heap of the strings and objects held, estimated as {@link ValueCodec} does. */
  private long variableBytes;

  MatchedValues(ValueType[] types, int rows) {
    this.types = types.clone();
    this.rows = rows;
    this.slot = new int[types.length];
    int[] counts = new int[3];
    for (int f = 0; f < types.length; f++) {
      slot[f] = counts[kind(types[f])]++;
    }
    this.wordsPerRow = counts[0];
    this.stringsPerRow = counts[1];
    this.objectsPerRow = counts[2];
    this.presentPerRow = (types.length + 63) >>> 6;
    this.words = new long[Math.multiplyExact(rows, wordsPerRow)];
    this.strings = new byte[Math.multiplyExact(rows, stringsPerRow)][];
    this.objects = new Object[Math.multiplyExact(rows, objectsPerRow)];
    this.present = new long[Math.multiplyExact(rows, presentPerRow)];
  }

  /** 0: a scalar held as a word; 1: a string held as bytes; 2: an object (bytes, lists). */
  private static int kind(ValueType type) {
    if (type == ValueType.STRING) {
      return 1;
    }
    return type.isList() || type == ValueType.BYTES ? 2 : 0;
  }

  /** The heap {@code rows} matched rows of {@code types} take before any string or object is held. */
  static long fixedBytes(ValueType[] types, int rows) {
    return 64 + 8L * rows * (types.length + (types.length + 63) / 64);
  }

  /** The heap taken so far, arrays and the strings and objects held. */
  long heapBytes() {
    return fixedBytes(types, rows) + variableBytes;
  }

  /** Reads feature {@code f} of row {@code row} from {@code column}'s current row, which it moves past. */
  void read(int f, int row, ParquetColumns.Column column) {
    ValueType type = types[f];
    if (kind(type) == 2) {
      // next() tells a null list from an empty one; isNull() is for scalars
      set(f, row, column.next());
      return;
    }
    if (column.isNull()) {
      column.skip();
      return;
    }
    int word = row * wordsPerRow + slot[f];
    switch (type) {
      case INT64, TIMESTAMP, INT32 -> words[word] = column.nextLong();
      case DOUBLE -> words[word] = Double.doubleToRawLongBits(column.nextDouble());
      case FLOAT -> words[word] = Float.floatToRawIntBits(column.nextFloat());
      case BOOL -> words[word] = column.nextBoolean() ? 1 : 0;
      case STRING -> putString(f, row, column.nextUtf8());
      default -> throw new AssertionError(type);
    }
    markPresent(f, row);
  }

  /** Sets feature {@code f} of row {@code row} to a canonical value (null leaves it null). */
  void set(int f, int row, Object value) {
    if (value == null) {
      return;
    }
    int word = row * wordsPerRow + slot[f];
    switch (types[f]) {
      case INT64, TIMESTAMP -> words[word] = (Long) value;
      case INT32 -> words[word] = (Integer) value;
      case DOUBLE -> words[word] = Double.doubleToRawLongBits((Double) value);
      case FLOAT -> words[word] = Float.floatToRawIntBits((Float) value);
      case BOOL -> words[word] = (Boolean) value ? 1 : 0;
      case STRING -> putString(f, row, ((String) value).getBytes(StandardCharsets.UTF_8));
      default -> {
        objects[row * objectsPerRow + slot[f]] = value;
        variableBytes += ValueCodec.heapBytes(value);
      }
    }
    markPresent(f, row);
  }

  /** Holds a string's UTF-8 bytes (maybe shared with other rows: never modified) and counts them. */
  private void putString(int f, int row, byte[] utf8) {
    strings[row * stringsPerRow + slot[f]] = utf8;
    variableBytes += 16 + utf8.length;
  }

  private void markPresent(int f, int row) {
    present[row * presentPerRow + (f >>> 6)] |= 1L << f;
  }

  /**
   * Sets entry {@code index} of the vectors of the features, {@code vectors} from {@code first} on in feature
   * order, to row {@code row}'s values; {@code row < 0} sets them null.
   */
  void copyTo(int row, List<FieldVector> vectors, int first, int index) {
    for (int f = 0; f < types.length; f++) {
      FieldVector vector = vectors.get(first + f);
      if (row < 0 || (present[row * presentPerRow + (f >>> 6)] & (1L << f)) == 0) {
        vector.setNull(index);
        continue;
      }
      long word = kind(types[f]) == 0 ? words[row * wordsPerRow + slot[f]] : 0;
      switch (types[f]) {
        case INT64 -> ((BigIntVector) vector).setSafe(index, word);
        case TIMESTAMP -> ((TimeStampMicroTZVector) vector).setSafe(index, word);
        case INT32 -> ((IntVector) vector).setSafe(index, (int) word);
        case DOUBLE -> ((Float8Vector) vector).setSafe(index, Double.longBitsToDouble(word));
        case FLOAT -> ((Float4Vector) vector).setSafe(index, Float.intBitsToFloat((int) word));
        case BOOL -> ((BitVector) vector).setSafe(index, (int) word);
        case STRING -> ((VarCharVector) vector).setSafe(index, strings[row * stringsPerRow + slot[f]]);
        default -> ArrowValues.set(vector, index, objects[row * objectsPerRow + slot[f]], types[f]);
      }
    }
  }
}
