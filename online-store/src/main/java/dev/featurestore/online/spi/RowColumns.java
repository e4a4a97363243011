package dev.featurestore.online.spi;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The rows one read found for a list of keys, held by feature and unboxed: what the server writes to the wire
 * without a {@link FeatureRow}, a boxed value or a {@code String} per value. Per key: whether a row was found, and
 * its event timestamp. Per key and included feature: whether the value is present (not null), and the value as
 *
 * <ul>
 *   <li>a 64-bit word for the scalar types: BOOL 0 or 1, INT32, INT64 and TIMESTAMP as the number, FLOAT and DOUBLE
 *       as their raw IEEE 754 bits ({@link #word});
 *   <li>a byte range for STRING (UTF-8) and BYTES, which may lie inside a larger array, such as the stored record
 *       ({@link #bytesArray}, {@link #bytesOffset}, {@link #bytesLength});
 *   <li>the list itself for the list types ({@link #list}).
 * </ul>
 *
 * <p>Why: decoding 5,000 values of a 100 x 50 request into boxed values and Strings, and then encoding them again,
 * was about half of the server's CPU for batched reads. Immutable once built; the byte arrays it refers to must not
 * change after {@link Builder#build}.
 */
public final class RowColumns {
  private final Projection projection;
  private final int size;
  private final boolean[] found;
  private final long[] eventMicros;
  /** By position in the projection's view; null where the projection does not include the feature. */
  private final Column[] columns;

  private RowColumns(Projection projection, int size, boolean[] found, long[] eventMicros, Column[] columns) {
    this.projection = projection;
    this.size = size;
    this.found = found;
    this.eventMicros = eventMicros;
    this.columns = columns;
  }

  /** A builder of {@code size} rows, none found yet, for the features {@code projection} includes. */
  public static Builder builder(Projection projection, int size) {
    return new Builder(projection, size);
  }

  /**
   * The columns of rows read as {@link FeatureRow}s, parallel to their keys, null where none was found: what a store
   * that does not build columns itself answers with.
   */
  public static RowColumns of(Projection projection, List<FeatureRow> rows) {
    FeatureView view = projection.view();
    Builder builder = builder(projection, rows.size());
    for (int row = 0; row < rows.size(); row++) {
      FeatureRow found = rows.get(row);
      if (found == null) {
        continue;
      }
      builder.found(row, found.eventTimestampMicros());
      for (int position = 0; position < view.features().size(); position++) {
        if (projection.includes(position)) {
          Object value = found.value(view, position);
          if (value != null) {
            builder.value(row, position, value);
          }
        }
      }
    }
    return builder.build();
  }

  /** The projection whose included features these columns hold. */
  public Projection projection() {
    return projection;
  }

  /** The number of rows, one per key read. */
  public int size() {
    return size;
  }

  /** Whether a row was found for key {@code row}. */
  public boolean found(int row) {
    return found[row];
  }

  /** The event timestamp of a found row, in epoch microseconds. */
  public long eventTimestampMicros(int row) {
    return eventMicros[row];
  }

  /** Whether a found row holds a value of the included feature at {@code position}. */
  public boolean present(int row, int position) {
    return column(position).present[row];
  }

  /** The word of a present scalar value (see the class comment). */
  public long word(int row, int position) {
    return column(position).words[row];
  }

  /** The array holding a present STRING or BYTES value. */
  public byte[] bytesArray(int row, int position) {
    return column(position).arrays[row];
  }

  /** Where a present STRING or BYTES value starts in its {@link #bytesArray}. */
  public int bytesOffset(int row, int position) {
    return column(position).offsets[row];
  }

  /** The length in bytes of a present STRING or BYTES value. */
  public int bytesLength(int row, int position) {
    return column(position).lengths[row];
  }

  /** A present value of a list type, in its feature's representation. */
  public List<?> list(int row, int position) {
    return column(position).lists[row];
  }

  private Column column(int position) {
    Column column = columns[position];
    if (column == null) {
      throw new IllegalArgumentException("Cannot read feature '"
          + projection.view().features().get(position).name() + "': the projection " + projection
          + " does not include it");
    }
    return column;
  }

  /** One feature's values; arrays by row, only the ones its type needs. */
  private static final class Column {
    final boolean[] present;
    final long[] words;
    final byte[][] arrays;
    final int[] offsets;
    final int[] lengths;
    final List<?>[] lists;

    Column(ValueType type, int size) {
      present = new boolean[size];
      boolean bytes = type == ValueType.STRING || type == ValueType.BYTES;
      words = type.isList() || bytes ? null : new long[size];
      arrays = bytes ? new byte[size][] : null;
      offsets = bytes ? new int[size] : null;
      lengths = bytes ? new int[size] : null;
      lists = type.isList() ? new List<?>[size] : null;
    }
  }

  /** Fills the columns row by row; a store's, used by one thread. */
  public static final class Builder {
    private final Projection projection;
    private final int size;
    private final boolean[] found;
    private final long[] eventMicros;
    private final Column[] columns;
    private final ValueType[] types;
    private boolean built;

    private Builder(Projection projection, int size) {
      this.projection = projection;
      this.size = size;
      found = new boolean[size];
      eventMicros = new long[size];
      FeatureView view = projection.view();
      columns = new Column[view.features().size()];
      types = new ValueType[columns.length];
      for (int position = 0; position < columns.length; position++) {
        if (projection.includes(position)) {
          types[position] = view.features().get(position).type();
          columns[position] = new Column(types[position], size);
        }
      }
    }

    /** Marks the row of key {@code row} found, with its event timestamp. */
    public Builder found(int row, long eventTimestampMicros) {
      found[row] = true;
      eventMicros[row] = eventTimestampMicros;
      return this;
    }

    /** Sets a scalar value by its word (see the class comment); not for STRING, BYTES or list features. */
    public Builder word(int row, int position, long word) {
      Column column = columns[position];
      column.present[row] = true;
      column.words[row] = word;
      return this;
    }

    /** Sets a STRING (UTF-8) or BYTES value to {@code array[offset, offset + length)}, without copying it. */
    public Builder bytes(int row, int position, byte[] array, int offset, int length) {
      Column column = columns[position];
      column.present[row] = true;
      column.arrays[row] = array;
      column.offsets[row] = offset;
      column.lengths[row] = length;
      return this;
    }

    /**
     * Sets a value given in its feature's representation (Boolean, Integer, Long, Float, Double, String, ByteBuffer,
     * List), for values a store has decoded anyway.
     */
    public Builder value(int row, int position, Object value) {
      ValueType type = types[position];
      if (type.isList()) {
        Column column = columns[position];
        column.present[row] = true;
        column.lists[row] = (List<?>) value;
        return this;
      }
      return switch (type) {
        case BOOL -> word(row, position, (Boolean) value ? 1 : 0);
        case INT32 -> word(row, position, (Integer) value);
        case INT64, TIMESTAMP -> word(row, position, (Long) value);
        case FLOAT -> word(row, position, Float.floatToRawIntBits((Float) value));
        case DOUBLE -> word(row, position, Double.doubleToRawLongBits((Double) value));
        case STRING -> {
          byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
          yield bytes(row, position, utf8, 0, utf8.length);
        }
        case BYTES -> {
          ByteBuffer buffer = (ByteBuffer) value;
          if (buffer.hasArray()) {
            yield bytes(row, position, buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
          }
          byte[] copy = new byte[buffer.remaining()];
          buffer.duplicate().get(copy);
          yield bytes(row, position, copy, 0, copy.length);
        }
        default -> throw new AssertionError(type);
      };
    }

    /** The columns; the builder may not be used after. */
    public RowColumns build() {
      if (built) {
        throw new IllegalStateException("Cannot build row columns twice from one builder");
      }
      built = true;
      return new RowColumns(projection, size, found, eventMicros, columns);
    }
  }
}
