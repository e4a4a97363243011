package dev.featurestore.online;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.online.spi.Projection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import dev.featurestore.api.data.FeatureValues;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored form of one feature row: a 16-byte header (event timestamp, created timestamp), a format byte, then
 * the row's non-null features, each as name, type tag and value.
 *
 * <p>The header longs are big-endian with the sign bit flipped, so that comparing two headers byte by byte as
 * unsigned bytes orders them exactly like {@link dev.featurestore.api.data.EventTimeOrder}; Redis's Lua script
 * relies on that. Features are stored by name with their type so that a record written before a feature was added
 * or removed still decodes: unknown names are skipped, absent names read as null.
 */
final class RecordCodec {
  static final int HEADER_BYTES = 16;
  private static final byte FORMAT = 1;

  private RecordCodec() {}

  /**
   * Encodes a row of {@code view}.
   *
   * @throws InvalidRequestException naming the feature when the row holds a name the view lacks or a value of the
   *     wrong type
   */
  static byte[] encode(FeatureView view, FeatureRow row) {
    for (String name : row.values().keySet()) {
      if (view.indexOf(name) < 0) {
        throw new InvalidRequestException(
            "Cannot write a row of view '" + view.name() + "': '" + name + "' is not a feature of it");
      }
    }
    Output out = new Output(64 + 16 * row.values().size());
    out.writeLong(row.eventTimestampMicros() ^ Long.MIN_VALUE);
    out.writeLong(row.createdTimestampMicros() ^ Long.MIN_VALUE);
    out.writeByte(FORMAT);
    out.writeVarint(row.values().size());
    // Declaration order, so that decoding finds each name at the position it expects (see Layout).
    for (Feature feature : view.features()) {
      Object raw = row.value(feature.name());
      if (raw == null) {
        continue;
      }
      ValueType type = feature.type();
      Object value = type.accepts(raw) ? raw : type.coerce(raw, feature.name());
      out.writeString(feature.name());
      out.writeByte(tag(type));
      writeValue(out, type, value);
    }
    return out.toByteArray();
  }

  /** Decodes a stored record of {@code view} into the row of {@code key}, keeping only the view's features. */
  static FeatureRow decode(EntityKey key, byte[] record, FeatureView view) {
    return decode(key, record, Projection.all(view));
  }

  /**
   * Decodes a stored record of the projection's view into the row of {@code key}, keeping only the features the
   * projection includes: the others are skipped over without decoding and read as null.
   */
  static FeatureRow decode(EntityKey key, byte[] record, Projection projection) {
    FeatureView view = projection.view();
    ByteBuffer in = ByteBuffer.wrap(record);
    long event = in.getLong() ^ Long.MIN_VALUE;
    long created = in.getLong() ^ Long.MIN_VALUE;
    byte format = in.get();
    if (format != FORMAT) {
      throw new IllegalStateException("Cannot decode a record of view '" + view.name() + "': format " + format);
    }
    Layout layout = Layout.of(view);
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
      Object value = readValue(in, stored);
      if (stored != feature.type()) {
        // The registry refuses type changes, but a widened type (INT32 to INT64) still reads; anything else is
        // no longer a value of the feature and reads as null rather than failing the whole row.
        try {
          value = feature.type().coerce(value, feature.name());
        } catch (InvalidRequestException e) {
          value = null;
        }
      }
      values[position] = value;
    }
    return new FeatureRow(key, event, created, FeatureValues.of(view, values));
  }

  /**
   * The UTF-8 names of a view's features, to match stored names without decoding them into strings. Records are
   * written in declaration order, so the name at the expected position almost always matches at once; a record
   * written under an older definition falls back to a scan. Built once per view definition.
   */
  private record Layout(FeatureView view, byte[][] names) {
    private static final ConcurrentMap<String, Layout> BY_VIEW = new ConcurrentHashMap<>();

    static Layout of(FeatureView view) {
      Layout layout = BY_VIEW.get(view.name());
      if (layout == null || layout.view != view) {
        byte[][] names = new byte[view.features().size()][];
        for (int i = 0; i < names.length; i++) {
          names[i] = view.features().get(i).name().getBytes(StandardCharsets.UTF_8);
        }
        layout = new Layout(view, names);
        BY_VIEW.put(view.name(), layout);
      }
      return layout;
    }

    /** The position of the name at {@code record[from, from + length)}, trying {@code expected} first; -1 if none. */
    int find(byte[] record, int from, int length, int expected) {
      if (expected < names.length && matches(names[expected], record, from, length)) {
        return expected;
      }
      for (int i = 0; i < names.length; i++) {
        if (matches(names[i], record, from, length)) {
          return i;
        }
      }
      return -1;
    }

    private static boolean matches(byte[] name, byte[] record, int from, int length) {
      return name.length == length && Arrays.equals(name, 0, length, record, from, from + length);
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
  private static byte tag(ValueType type) {
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

  private static ValueType typeOf(byte tag) {
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

  private static int readVarint(ByteBuffer in) {
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
  private static final class Output {
    private byte[] buf;
    private int size;

    Output(int capacity) {
      buf = new byte[Math.max(capacity, 16)];
    }

    void writeByte(int b) {
      ensure(1);
      buf[size++] = (byte) b;
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
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, size, bytes.length);
      size += bytes.length;
    }

    void writeBytes(ByteBuffer bytes) {
      ByteBuffer source = bytes.duplicate();
      int length = source.remaining();
      writeVarint(length);
      ensure(length);
      source.get(buf, size, length);
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
