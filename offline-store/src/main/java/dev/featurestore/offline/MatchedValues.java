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
 * side in one array (doubles and floats by their bits), its strings as UTF-8 bytes (one array per distinct value),
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
  /** Per string feature (by its slot), the distinct strings held. */
  private final Interned[] interned;
  /** The heap of the objects and of the strings not in {@link #interned}, estimated as {@link ValueCodec} does. */
  private long variableBytes;
  /** The rows of the batch {@link #copyBatch} is filling, laid out as the arrays above. */
  private long[] batchWords = new long[0];
  private byte[][] batchStrings = new byte[0][];
  private Object[] batchObjects = new Object[0];
  private long[] batchPresent = new long[0];

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
    this.interned = new Interned[stringsPerRow];
    for (int i = 0; i < stringsPerRow; i++) {
      interned[i] = new Interned();
    }
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
    long bytes = fixedBytes(types, rows) + variableBytes;
    for (Interned table : interned) {
      bytes += table.heapBytes();
    }
    return bytes;
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

  /**
   * Holds a string's UTF-8 bytes (shared with other rows: never modified) and counts them: the array held already
   * for an equal string of the feature when there is one.
   */
  private void putString(int f, int row, byte[] utf8) {
    byte[] held = interned[slot[f]].intern(utf8);
    if (held == null) {
      held = utf8;
      variableBytes += 16 + utf8.length;
    }
    strings[row * stringsPerRow + slot[f]] = held;
  }

  /**
   * One array per distinct string of a feature, up to {@link #MAX_HELD} of them. Why: the output reads the matched
   * rows in an order random against theirs, and each data file's dictionary decodes its own copy of a value, so
   * the strings of 10M matched rows lay spread over the heap, a cache miss each (a third of filling the output);
   * the few distinct values most string features take, held once, stay in cache. Past the limit a feature is one
   * of many distinct values, which a table would not make cheaper: its strings are held as they come.
   */
  private static final class Interned {
    private static final int MAX_HELD = 1 << 16;
    /** Open addressing, a power of two at most half full; a slot's hash beside it, so probes rarely compare. */
    private byte[][] held = new byte[64][];
    private int[] hashes = new int[64];
    private int size;
    private long bytes;

    /** The array held for {@code utf8}'s content, {@code utf8} itself if it is new, or null when none is and full. */
    byte[] intern(byte[] utf8) {
      int hash = java.util.Arrays.hashCode(utf8) * 0x9E3779B9;
      int mask = held.length - 1;
      for (int i = (hash ^ hash >>> 16) & mask; ; i = (i + 1) & mask) {
        byte[] at = held[i];
        if (at == null) {
          if (size == MAX_HELD) {
            return null;
          }
          held[i] = utf8;
          hashes[i] = hash;
          bytes += 16 + utf8.length;
          if (++size * 2 > held.length) {
            grow();
          }
          return utf8;
        }
        if (hashes[i] == hash && (at == utf8 || java.util.Arrays.equals(at, utf8))) {
          return at;
        }
      }
    }

    private void grow() {
      byte[][] oldHeld = held;
      int[] oldHashes = hashes;
      held = new byte[oldHeld.length * 2][];
      hashes = new int[held.length];
      int mask = held.length - 1;
      for (int j = 0; j < oldHeld.length; j++) {
        if (oldHeld[j] != null) {
          int i = (oldHashes[j] ^ oldHashes[j] >>> 16) & mask;
          while (held[i] != null) {
            i = (i + 1) & mask;
          }
          held[i] = oldHeld[j];
          hashes[i] = oldHashes[j];
        }
      }
    }

    /** The table's arrays and the strings it holds. */
    long heapBytes() {
      return 32 + 12L * held.length + bytes;
    }
  }

  private void markPresent(int f, int row) {
    present[row * presentPerRow + (f >>> 6)] |= 1L << f;
  }

  /**
   * Sets entries {@code 0 .. count - 1} of the features' vectors ({@code vectors} from {@code first} on, in feature
   * order) to the values of rows {@code rowOf[from] .. rowOf[from + count - 1]}; a row below 0 sets them null. The
   * vectors are allocated for at least {@code count} entries and filled in index order. Not thread-safe: one
   * output at a time.
   *
   * <p>Why in two steps: the rows asked for lie at random places among all matched rows, so each is a cache miss.
   * Copying them first into a batch of their own, in a loop that does nothing else, lets those misses overlap; the
   * vectors are then filled a feature at a time from that batch, which is in cache. Filling the vectors straight
   * from the matched rows, row by row, made each row's misses wait on the previous row's vector writes.
   */
  void copyBatch(int[] rowOf, int from, int count, List<FieldVector> vectors, int first) {
    gather(rowOf, from, count);
    for (int f = 0; f < types.length; f++) {
      fill(f, vectors.get(first + f), count);
    }
  }

  private void gather(int[] rowOf, int from, int count) {
    if (batchPresent.length < count * presentPerRow) {
      batchWords = new long[count * wordsPerRow];
      batchStrings = new byte[count * stringsPerRow][];
      batchObjects = new Object[count * objectsPerRow];
      batchPresent = new long[count * presentPerRow];
    }
    for (int i = 0; i < count; i++) {
      int row = rowOf[from + i];
      if (row < 0) {
        // the other arrays keep what they held: nothing present, nothing of it is read
        java.util.Arrays.fill(batchPresent, i * presentPerRow, (i + 1) * presentPerRow, 0L);
        continue;
      }
      System.arraycopy(present, row * presentPerRow, batchPresent, i * presentPerRow, presentPerRow);
      System.arraycopy(words, row * wordsPerRow, batchWords, i * wordsPerRow, wordsPerRow);
      if (stringsPerRow > 0) {
        System.arraycopy(strings, row * stringsPerRow, batchStrings, i * stringsPerRow, stringsPerRow);
      }
      if (objectsPerRow > 0) {
        System.arraycopy(objects, row * objectsPerRow, batchObjects, i * objectsPerRow, objectsPerRow);
      }
    }
  }

  /** Fills entries {@code 0 .. count - 1} of feature {@code f}'s vector from the gathered batch. */
  private void fill(int f, FieldVector vector, int count) {
    ValueType type = types[f];
    int at = f >>> 6;
    long bit = 1L << f;
    int kind = kind(type);
    int stride = kind == 0 ? wordsPerRow : kind == 1 ? stringsPerRow : objectsPerRow;
    for (int i = 0, k = slot[f]; i < count; i++, k += stride) {
      if ((batchPresent[i * presentPerRow + at] & bit) == 0) {
        vector.setNull(i);
        continue;
      }
      switch (type) {
        case INT64 -> ((BigIntVector) vector).setSafe(i, batchWords[k]);
        case TIMESTAMP -> ((TimeStampMicroTZVector) vector).setSafe(i, batchWords[k]);
        case INT32 -> ((IntVector) vector).setSafe(i, (int) batchWords[k]);
        case DOUBLE -> ((Float8Vector) vector).setSafe(i, Double.longBitsToDouble(batchWords[k]));
        case FLOAT -> ((Float4Vector) vector).setSafe(i, Float.intBitsToFloat((int) batchWords[k]));
        case BOOL -> ((BitVector) vector).setSafe(i, (int) batchWords[k]);
        case STRING -> ((VarCharVector) vector).setSafe(i, batchStrings[k]);
        default -> ArrowValues.set(vector, i, batchObjects[k], type);
      }
    }
  }
}
