package dev.featurestore.online;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.data.FeatureValues;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.online.spi.Projection;
import dev.featurestore.online.spi.RowColumns;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The stored form of one feature row. Format 2, written since 2026-12:
 *
 * <pre>
 * [0, 16)    header: event and created timestamp, big-endian longs with the sign bit flipped
 * 16         format: 2
 * [17, 25)   layout id: a hash of the names and types of the view's features, in order, when it was written
 * varint     n: the number of features of that layout
 * 1 byte     w: the width of an offset, 2 or 4
 * n x w      for each feature, the end of its value counted from the start of the values (a null takes no bytes)
 * ...        the non-null values in declaration order, each in its type's encoding
 * ...        the layout: for each feature its name (varint length, UTF-8) and type tag
 * </pre>
 *
 * <p>The header orders like {@link dev.featurestore.api.data.EventTimeOrder} when two headers are compared byte by
 * byte as unsigned bytes; Redis's Lua script and the Hazelcast processors rely on that.
 *
 * <p>Why offsets: a read of 50 of a view's 250 features goes straight to those 50 values. Format 1 stored each
 * feature as name, tag and value, so a read walked and compared every stored name, skipped every unwanted value and
 * decoded the wanted ones: matching names was about a fifth of the server's CPU on the 100 x 50 and ranking benchmark
 * shapes, profiled together. A reader whose view has the record's layout id reads by position. Under another
 * definition (features added, removed or retyped since the write) it maps the record's layout to its view by name,
 * once per layout ({@link RecordLayout}), then reads by offset too: unknown names are skipped, absent names read as
 * null. The layout block makes every record self-describing at about the cost format 1 paid for its names, plus two
 * bytes per feature for the offsets. Records of format 1 still decode.
 */
final class RecordCodec {
  static final int HEADER_BYTES = 16;
  /** Name, tag and value per feature, no offsets: written before format 2, still read. */
  private static final byte FORMAT_NAMED = 1;
  private static final byte FORMAT_POSITIONAL = 2;

  private RecordCodec() {}

  /**
   * Encodes a row of {@code view}.
   *
   * @throws InvalidRequestException naming the feature when the row holds a name the view lacks or a value of the
   *     wrong type
   */
  static byte[] encode(FeatureView view, FeatureRow row) {
    // Values held by position for this very view (as materialization reads them) can only name its features, and
    // are read by position below: no lookup by name per feature, which was a quarter of materialization's encoding.
    boolean heldForView = row.values() instanceof FeatureValues held && held.view() == view;
    if (!heldForView) {
      for (String name : row.values().keySet()) {
        if (view.indexOf(name) < 0) {
          throw new InvalidRequestException(
              "Cannot write a row of view '" + view.name() + "': '" + name + "' is not a feature of it");
        }
      }
    }
    RecordLayout layout = RecordLayout.of(view);
    List<Feature> features = view.features();
    Output values = new Output(16 * features.size());
    int[] ends = new int[features.size()];
    for (int i = 0; i < ends.length; i++) {
      Feature feature = features.get(i);
      Object raw = row.value(view, i);
      if (raw != null) {
        ValueType type = feature.type();
        writeValue(values, type, type.accepts(raw) ? raw : type.coerce(raw, feature.name()));
      }
      ends[i] = values.size;
    }
    int width = values.size <= 0xFFFF ? 2 : 4;
    byte[] names = layout.namesBlock();
    Output out = new Output(HEADER_BYTES + 15 + ends.length * width + values.size + names.length);
    out.writeLong(row.eventTimestampMicros() ^ Long.MIN_VALUE);
    out.writeLong(row.createdTimestampMicros() ^ Long.MIN_VALUE);
    out.writeByte(FORMAT_POSITIONAL);
    out.writeLong(layout.id());
    out.writeVarint(ends.length);
    out.writeByte(width);
    for (int end : ends) {
      if (width == 2) {
        out.writeShort(end);
      } else {
        out.writeInt(end);
      }
    }
    out.writeRaw(values.buf, values.size);
    out.writeRaw(names, names.length);
    return out.toByteArray();
  }

  /** Decodes a stored record of {@code view} into the row of {@code key}, keeping only the view's features. */
  static FeatureRow decode(EntityKey key, byte[] record, FeatureView view) {
    return decode(key, record, Projection.all(view));
  }

  /**
   * Decodes a stored record of the projection's view into the row of {@code key}, keeping only the features the
   * projection includes: the others are not decoded and read as null.
   */
  static FeatureRow decode(EntityKey key, byte[] record, Projection projection) {
    FeatureView view = projection.view();
    ByteBuffer in = ByteBuffer.wrap(record);
    long event = in.getLong() ^ Long.MIN_VALUE;
    long created = in.getLong() ^ Long.MIN_VALUE;
    byte format = in.get();
    Object[] values = switch (format) {
      case FORMAT_POSITIONAL -> readPositional(in, projection);
      case FORMAT_NAMED -> readNamed(in, projection);
      default -> throw new IllegalStateException(
          "Cannot decode a record of view '" + view.name() + "': unknown format " + format);
    };
    return new FeatureRow(key, event, created, FeatureValues.of(view, values));
  }

  /** Decodes stored records of the projection's view, parallel to their keys (null: not found), into rows. */
  static List<FeatureRow> decodeRows(List<EntityKey> keys, List<byte[]> records, Projection projection) {
    List<FeatureRow> rows = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      byte[] record = records.get(i);
      rows.add(record == null ? null : decode(keys.get(i), record, projection));
    }
    return rows;
  }

  /**
   * Decodes stored records of the projection's view into columns, row {@code i} from {@code records.get(i)} (null:
   * not found). Scalars of format 2 records are read straight from the bytes, STRING and BYTES values are left in
   * the record and referred to; only list values and values of a changed type are decoded into objects.
   */
  static RowColumns decodeColumns(Projection projection, List<byte[]> records) {
    RowColumns.Builder columns = RowColumns.builder(projection, records.size());
    for (int row = 0; row < records.size(); row++) {
      byte[] record = records.get(row);
      if (record != null) {
        decodeInto(columns, row, record, projection);
      }
    }
    return columns.build();
  }

  private static void decodeInto(RowColumns.Builder columns, int row, byte[] record, Projection projection) {
    FeatureView view = projection.view();
    ByteBuffer in = ByteBuffer.wrap(record);
    columns.found(row, in.getLong() ^ Long.MIN_VALUE);
    in.getLong();
    byte format = in.get();
    if (format == FORMAT_NAMED) {
      Object[] values = readNamed(in, projection);
      for (int position = 0; position < values.length; position++) {
        if (values[position] != null) {
          columns.value(row, position, values[position]);
        }
      }
      return;
    }
    if (format != FORMAT_POSITIONAL) {
      throw new IllegalStateException(
          "Cannot decode a record of view '" + view.name() + "': unknown format " + format);
    }
    List<Feature> features = view.features();
    Positional positional = Positional.read(in, view);
    // Only the needed positions: a read of 50 of 250 features visited every position of every record.
    for (int i = 0, needed = projection.includedCount(); i < needed; i++) {
      int position = projection.includedPosition(i);
      int start = positional.start(position);
      if (start < 0) {
        continue;
      }
      Feature feature = features.get(position);
      ValueType type = positional.storedType(position);
      if (type != feature.type() || type.isList()) {
        in.position(start);
        Object value = valueOf(feature, type, readValue(in, type));
        if (value != null) {
          columns.value(row, position, value);
        }
        continue;
      }
      switch (type) {
        case BOOL -> columns.word(row, position, record[start] != 0 ? 1 : 0);
        case INT32 -> columns.word(row, position, in.getInt(start));
        case FLOAT -> columns.word(row, position, in.getInt(start));
        case INT64, TIMESTAMP, DOUBLE -> columns.word(row, position, in.getLong(start));
        case STRING, BYTES -> {
          in.position(start);
          int length = readVarint(in);
          columns.bytes(row, position, record, in.position(), length);
        }
        default -> throw new AssertionError(type);
      }
    }
  }

  /** The values of a format 2 record, {@code in} positioned after its format byte, by position in the view. */
  private static Object[] readPositional(ByteBuffer in, Projection projection) {
    List<Feature> features = projection.view().features();
    Positional positional = Positional.read(in, projection.view());
    Object[] values = new Object[features.size()];
    for (int position = 0; position < values.length; position++) {
      int start = projection.includes(position) ? positional.start(position) : -1;
      if (start >= 0) {
        in.position(start);
        ValueType type = positional.storedType(position);
        values[position] = valueOf(features.get(position), type, readValue(in, type));
      }
    }
    return values;
  }

  /**
   * The offset table of one format 2 record, read against the view it is decoded for: where each of the view's
   * features starts in the record, and the type it was stored with.
   */
  private static final class Positional {
    private final byte[] record;
    private final int offsets;
    private final int width;
    private final int valuesStart;
    private final FeatureView view;
    /** Null when the record was written under the view's own layout: stored index = position, type = the feature's. */
    private final RecordLayout.Mapping mapping;

    private Positional(byte[] record, int offsets, int width, int valuesStart, FeatureView view,
        RecordLayout.Mapping mapping) {
      this.record = record;
      this.offsets = offsets;
      this.width = width;
      this.valuesStart = valuesStart;
      this.view = view;
      this.mapping = mapping;
    }

    /** Reads the table, {@code in} positioned after the format byte. */
    static Positional read(ByteBuffer in, FeatureView view) {
      byte[] record = in.array();
      long id = in.getLong();
      int stored = readVarint(in);
      int width = in.get();
      int offsets = in.position();
      int valuesStart = offsets + stored * width;
      RecordLayout current = RecordLayout.of(view);
      RecordLayout.Mapping mapping = id == current.id() && stored == view.features().size()
          ? null
          : current.mapping(id, record, valuesStart + (stored == 0 ? 0 : end(record, offsets, width, stored - 1)));
      return new Positional(record, offsets, width, valuesStart, view, mapping);
    }

    /** Where the value of the view's feature at {@code position} starts in the record; -1 when null or not held. */
    int start(int position) {
      int index = mapping == null ? position : mapping.storedIndex(position);
      if (index < 0) {
        return -1;
      }
      int start = index == 0 ? 0 : end(record, offsets, width, index - 1);
      return start == end(record, offsets, width, index) ? -1 : valuesStart + start;
    }

    /** The type the feature at {@code position} was stored with; only where {@link #start} is not -1. */
    ValueType storedType(int position) {
      return mapping == null ? view.features().get(position).type() : mapping.storedType(position);
    }
  }

  /** The end offset of stored feature {@code index}, from the offset table at {@code offsets}. */
  private static int end(byte[] record, int offsets, int width, int index) {
    int at = offsets + index * width;
    return width == 2
        ? (record[at] & 0xff) << 8 | (record[at + 1] & 0xff)
        : (record[at] & 0xff) << 24 | (record[at + 1] & 0xff) << 16 | (record[at + 2] & 0xff) << 8
            | (record[at + 3] & 0xff);
  }

  /** The values of a format 1 record, {@code in} positioned after its format byte, by position in the view. */
  private static Object[] readNamed(ByteBuffer in, Projection projection) {
    FeatureView view = projection.view();
    byte[] record = in.array();
    RecordLayout layout = RecordLayout.of(view);
    List<Feature> features = view.features();
    Object[] values = new Object[features.size()];
    int count = readVarint(in);
    int expected = 0;
    for (int i = 0; i < count; i++) {
      int length = readVarint(in);
      int position = layout.find(record, in.position(), length, expected);
      in.position(in.position() + length);
      ValueType stored = typeOf(in.get());
      if (position < 0) {
        skipValue(in, stored);
        continue;
      }
      expected = position + 1;
      if (!projection.includes(position)) {
        skipValue(in, stored);
        continue;
      }
      Feature feature = features.get(position);
      values[position] = valueOf(feature, stored, readValue(in, stored));
    }
    return values;
  }

  /**
   * A value stored as {@code stored} read as a value of {@code feature}: the registry refuses type changes, but a
   * widened type (INT32 to INT64) still reads; anything else is no longer a value of the feature and reads as null
   * rather than failing the whole row.
   */
  private static Object valueOf(Feature feature, ValueType stored, Object value) {
    if (stored == feature.type()) {
      return value;
    }
    try {
      return feature.type().coerce(value, feature.name());
    } catch (InvalidRequestException e) {
      return null;
    }
  }

  /** Whether the record {@code incoming} replaces {@code stored} under event-time-wins, comparing headers only. */
  static boolean supersedes(byte[] incoming, byte[] stored) {
    // Bytewise unsigned comparison of the flipped big-endian header equals the numeric (event, created) order;
    // a full tie replaces, the incoming write being the later one.
    return java.util.Arrays.compareUnsigned(incoming, 0, HEADER_BYTES, stored, 0, HEADER_BYTES) >= 0;
  }

  static long eventTimestamp(byte[] record) {
    return ByteBuffer.wrap(record).getLong(0) ^ Long.MIN_VALUE;
  }

  static long createdTimestamp(byte[] record) {
    return ByteBuffer.wrap(record).getLong(8) ^ Long.MIN_VALUE;
  }

  /**
   * The bytes of an entity key: each value as a type tag and its payload, in key order. Deterministic: equal keys
   * (BYTES by content) give equal bytes, different keys or types give different bytes.
   */
  static byte[] encodeKey(EntityKey key) {
    Output out = new Output(16 * key.values().size());
    for (Object value : key.values()) {
      if (value instanceof Integer i) {
        out.writeByte(tag(ValueType.INT32));
        out.writeInt(i);
      } else if (value instanceof Long l) {
        out.writeByte(tag(ValueType.INT64));
        out.writeLong(l);
      } else if (value instanceof String s) {
        out.writeByte(tag(ValueType.STRING));
        out.writeString(s);
      } else if (value instanceof ByteBuffer b) {
        out.writeByte(tag(ValueType.BYTES));
        out.writeBytes(b);
      } else if (value instanceof byte[] b) {
        out.writeByte(tag(ValueType.BYTES));
        out.writeBytes(ByteBuffer.wrap(b));
      } else {
        throw new InvalidRequestException(
            "Cannot use entity key " + key.values() + ": value '" + value + "' is not INT32, INT64, STRING or BYTES");
      }
    }
    return out.toByteArray();
  }

  /** The stable tag of a type: its number in types.proto, so that records survive reordering of the enum. */
  static byte tag(ValueType type) {
    return (byte) switch (type) {
      case BOOL -> 1;
      case INT32 -> 2;
      case INT64 -> 3;
      case FLOAT -> 4;
      case DOUBLE -> 5;
      case STRING -> 6;
      case BYTES -> 7;
      case TIMESTAMP -> 8;
      case BOOL_LIST -> 11;
      case INT32_LIST -> 12;
      case INT64_LIST -> 13;
      case FLOAT_LIST -> 14;
      case DOUBLE_LIST -> 15;
      case STRING_LIST -> 16;
      case BYTES_LIST -> 17;
      case TIMESTAMP_LIST -> 18;
    };
  }

  static ValueType typeOf(byte tag) {
    return switch (tag) {
      case 1 -> ValueType.BOOL;
      case 2 -> ValueType.INT32;
      case 3 -> ValueType.INT64;
      case 4 -> ValueType.FLOAT;
      case 5 -> ValueType.DOUBLE;
      case 6 -> ValueType.STRING;
      case 7 -> ValueType.BYTES;
      case 8 -> ValueType.TIMESTAMP;
      case 11 -> ValueType.BOOL_LIST;
      case 12 -> ValueType.INT32_LIST;
      case 13 -> ValueType.INT64_LIST;
      case 14 -> ValueType.FLOAT_LIST;
      case 15 -> ValueType.DOUBLE_LIST;
      case 16 -> ValueType.STRING_LIST;
      case 17 -> ValueType.BYTES_LIST;
      case 18 -> ValueType.TIMESTAMP_LIST;
      default -> throw new IllegalStateException("Cannot decode a record: unknown type tag " + tag);
    };
  }

  private static void writeValue(Output out, ValueType type, Object value) {
    if (type.isList()) {
      List<?> list = (List<?>) value;
      out.writeVarint(list.size());
      for (Object item : list) {
        writeScalar(out, type.elementType(), item);
      }
    } else {
      writeScalar(out, type, value);
    }
  }

  private static void writeScalar(Output out, ValueType type, Object value) {
    switch (type) {
      case BOOL -> out.writeByte((Boolean) value ? 1 : 0);
      case INT32 -> out.writeInt((Integer) value);
      case INT64, TIMESTAMP -> out.writeLong((Long) value);
      case FLOAT -> out.writeInt(Float.floatToRawIntBits((Float) value));
      case DOUBLE -> out.writeLong(Double.doubleToRawLongBits((Double) value));
      case STRING -> out.writeString((String) value);
      case BYTES -> out.writeBytes((ByteBuffer) value);
      default -> throw new AssertionError(type);
    }
  }

  private static Object readValue(ByteBuffer in, ValueType type) {
    if (!type.isList()) {
      return readScalar(in, type);
    }
    int size = readVarint(in);
    List<Object> items = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      items.add(readScalar(in, type.elementType()));
    }
    return Collections.unmodifiableList(items);
  }

  private static Object readScalar(ByteBuffer in, ValueType type) {
    return switch (type) {
      case BOOL -> in.get() != 0;
      case INT32 -> in.getInt();
      case INT64, TIMESTAMP -> in.getLong();
      case FLOAT -> Float.intBitsToFloat(in.getInt());
      case DOUBLE -> Double.longBitsToDouble(in.getLong());
      case STRING -> readString(in);
      case BYTES -> {
        byte[] bytes = new byte[readVarint(in)];
        in.get(bytes);
        yield ByteBuffer.wrap(bytes).asReadOnlyBuffer();
      }
      default -> throw new AssertionError(type);
    };
  }

  private static void skipValue(ByteBuffer in, ValueType type) {
    int count = type.isList() ? readVarint(in) : 1;
    for (int i = 0; i < count; i++) {
      switch (type.elementType()) {
        case BOOL -> in.position(in.position() + 1);
        case INT32, FLOAT -> in.position(in.position() + 4);
        case INT64, TIMESTAMP, DOUBLE -> in.position(in.position() + 8);
        case STRING, BYTES -> {
          int length = readVarint(in);
          in.position(in.position() + length);
        }
        default -> throw new AssertionError(type);
      }
    }
  }

  private static String readString(ByteBuffer in) {
    int length = readVarint(in);
    String text = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return text;
  }

  static int readVarint(ByteBuffer in) {
    int result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      byte b = in.get();
      result |= (b & 0x7f) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new IllegalStateException("Cannot decode a record: malformed length");
  }

  /** A growable big-endian byte buffer; cheaper than DataOutputStream's synchronized stream. */
  static final class Output {
    private byte[] buf;
    private int size;

    Output(int capacity) {
      buf = new byte[Math.max(capacity, 16)];
    }

    void writeByte(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    void writeShort(int v) {
      ensure(2);
      buf[size++] = (byte) (v >>> 8);
      buf[size++] = (byte) v;
    }

    void writeInt(int v) {
      ensure(4);
      for (int shift = 24; shift >= 0; shift -= 8) {
        buf[size++] = (byte) (v >>> shift);
      }
    }

    void writeLong(long v) {
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        buf[size++] = (byte) (v >>> shift);
      }
    }

    void writeVarint(int v) {
      ensure(5);
      while ((v & ~0x7f) != 0) {
        buf[size++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    void writeString(String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      writeVarint(bytes.length);
      writeRaw(bytes, bytes.length);
    }

    void writeBytes(ByteBuffer bytes) {
      ByteBuffer source = bytes.duplicate();
      int length = source.remaining();
      writeVarint(length);
      ensure(length);
      source.get(buf, size, length);
      size += length;
    }

    void writeRaw(byte[] bytes, int length) {
      ensure(length);
      System.arraycopy(bytes, 0, buf, size, length);
      size += length;
    }

    byte[] toByteArray() {
      return java.util.Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }
  }
}
