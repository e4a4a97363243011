package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Writes canonical values ({@link ValueType}) to spill files and reads them back, and encodes join-key values as
 * one byte array whose equality is the keys' equality (so sorts and merges compare bytes, not objects).
 */
final class ValueCodec {
  private ValueCodec() {}

  /** The key bytes of canonical key values (INT32, INT64, STRING, BYTES), in join-key order. */
  static byte[] key(Object[] values, ValueType[] types) {
    int size = 0;
    byte[][] texts = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      switch (types[i]) {
        case INT32 -> size += 4;
        case INT64, TIMESTAMP -> size += 8;
        case STRING -> {
          texts[i] = ((String) values[i]).getBytes(StandardCharsets.UTF_8);
          size += 4 + texts[i].length;
        }
        case BYTES -> {
          ByteBuffer buffer = ((ByteBuffer) values[i]).duplicate();
          texts[i] = new byte[buffer.remaining()];
          buffer.get(texts[i]);
          size += 4 + texts[i].length;
        }
        default -> throw new IllegalArgumentException("Cannot encode key of type " + types[i]);
      }
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    for (int i = 0; i < values.length; i++) {
      switch (types[i]) {
        case INT32 -> out.putInt(((Number) values[i]).intValue());
        case INT64, TIMESTAMP -> out.putLong(((Number) values[i]).longValue());
        default -> out.putInt(texts[i].length).put(texts[i]);
      }
    }
    return out.array();
  }

  static void writeBytes(DataOutput out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  static byte[] readBytes(DataInput in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return bytes;
  }

  /** Writes feature values of the given types; each may be null. */
  static void writeValues(DataOutput out, Object[] values, ValueType[] types) throws IOException {
    for (int i = 0; i < types.length; i++) {
      if (values[i] == null) {
        out.writeBoolean(false);
      } else {
        out.writeBoolean(true);
        write(out, values[i], types[i]);
      }
    }
  }

  static Object[] readValues(DataInput in, ValueType[] types) throws IOException {
    Object[] values = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      values[i] = in.readBoolean() ? read(in, types[i]) : null;
    }
    return values;
  }

  private static void write(DataOutput out, Object value, ValueType type) throws IOException {
    if (type.isList()) {
      List<?> list = (List<?>) value;
      out.writeInt(list.size());
      for (Object item : list) {
        write(out, item, type.elementType());
      }
      return;
    }
    switch (type) {
      case BOOL -> out.writeBoolean((Boolean) value);
      case INT32 -> out.writeInt((Integer) value);
      case INT64, TIMESTAMP -> out.writeLong((Long) value);
      case FLOAT -> out.writeFloat((Float) value);
      case DOUBLE -> out.writeDouble((Double) value);
      case STRING -> writeBytes(out, ((String) value).getBytes(StandardCharsets.UTF_8));
      case BYTES -> {
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        writeBytes(out, bytes);
      }
      default -> throw new AssertionError(type);
    }
  }

  private static Object read(DataInput in, ValueType type) throws IOException {
    if (type.isList()) {
      int size = in.readInt();
      List<Object> list = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        list.add(read(in, type.elementType()));
      }
      return Collections.unmodifiableList(list);
    }
    return switch (type) {
      case BOOL -> in.readBoolean();
      case INT32 -> in.readInt();
      case INT64, TIMESTAMP -> in.readLong();
      case FLOAT -> in.readFloat();
      case DOUBLE -> in.readDouble();
      case STRING -> new String(readBytes(in), StandardCharsets.UTF_8);
      case BYTES -> ByteBuffer.wrap(readBytes(in)).asReadOnlyBuffer();
      default -> throw new AssertionError(type);
    };
  }

  /** Approximate heap bytes of feature values (boxed scalars, strings, lists). */
  static long heapBytes(Object[] values) {
    long bytes = 16 + 8L * values.length;
    for (Object value : values) {
      bytes += heapBytes(value);
    }
    return bytes;
  }

  /** The heap of one canonical value (its object, not the reference to it). */
  static long heapBytes(Object value) {
    if (value == null) {
      return 0;
    }
    if (value instanceof String text) {
      return 40 + text.length();
    }
    if (value instanceof ByteBuffer buffer) {
      return 64 + buffer.capacity();
    }
    if (value instanceof List<?> list) {
      long bytes = 40 + 8L * list.size();
      for (Object item : list) {
        bytes += heapBytes(item);
      }
      return bytes;
    }
    return 16;
  }
}
