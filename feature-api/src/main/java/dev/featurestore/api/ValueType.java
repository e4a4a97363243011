package dev.featurestore.api;

import dev.featurestore.api.error.InvalidRequestException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The value types of a feature or join key, with the Java representation each value takes everywhere in the
 * feature store:
 *
 * <ul>
 *   <li>BOOL {@link Boolean}, INT32 {@link Integer}, INT64 {@link Long}, FLOAT {@link Float}, DOUBLE {@link Double},
 *       STRING {@link String}, BYTES a read-only {@link ByteBuffer} (so that equality is by content), TIMESTAMP a
 *       {@link Long} of UTC microseconds since the epoch;
 *   <li>each {@code X_LIST} an unmodifiable {@link List} of the scalar representation, elements non-null.
 * </ul>
 *
 * <p>{@code null} is the null state of a feature, never a value of any type.
 */
public enum ValueType {
  BOOL,
  INT32,
  INT64,
  FLOAT,
  DOUBLE,
  STRING,
  BYTES,
  TIMESTAMP,
  BOOL_LIST,
  INT32_LIST,
  INT64_LIST,
  FLOAT_LIST,
  DOUBLE_LIST,
  STRING_LIST,
  BYTES_LIST,
  TIMESTAMP_LIST;

  /** True for the {@code X_LIST} types. */
  public boolean isList() {
    return ordinal() >= BOOL_LIST.ordinal();
  }

  /** The element type of a list type, or this type for a scalar. */
  public ValueType elementType() {
    return isList() ? values()[ordinal() - BOOL_LIST.ordinal()] : this;
  }

  /** The list type whose elements are of this scalar type. */
  public ValueType listType() {
    if (isList()) {
      throw new IllegalStateException("Cannot make a list of " + this + ": nested lists are not a value type");
    }
    return values()[ordinal() + BOOL_LIST.ordinal()];
  }

  /** Whether this type may be a join key: integers, strings and bytes compare exactly, floats and lists do not. */
  public boolean isKeyType() {
    return this == INT32 || this == INT64 || this == STRING || this == BYTES;
  }

  /**
   * Parses a type name as written in YAML or on the command line: {@code INT64}, {@code int64},
   * {@code INT64_LIST} or {@code list<int64>}.
   *
   * @throws InvalidRequestException naming the text when it is no type
   */
  public static ValueType parse(String text) {
    String normalized = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
    if (normalized.startsWith("LIST<") && normalized.endsWith(">")) {
      normalized = normalized.substring(5, normalized.length() - 1).trim() + "_LIST";
    }
    try {
      return valueOf(normalized);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          "Cannot parse value type '" + text + "': expected one of BOOL, INT32, INT64, FLOAT, DOUBLE, STRING, BYTES,"
              + " TIMESTAMP or list<TYPE>");
    }
  }

  /** Whether {@code value} is a non-null value of this type in its canonical Java representation. */
  public boolean accepts(Object value) {
    if (value == null) {
      return false;
    }
    if (!isList()) {
      return scalarClass().isInstance(value);
    }
    if (!(value instanceof List<?> list)) {
      return false;
    }
    ValueType element = elementType();
    for (Object item : list) {
      if (!element.accepts(item)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns {@code value} in the canonical representation of this type, widening where no information is lost
   * (an Integer for INT64, a byte[] for BYTES, any numeric for DOUBLE, a List for a list type). Null stays null.
   *
   * @param field the name reported when the value does not fit
   * @throws InvalidRequestException naming {@code field}, the type and the value when it does not fit
   */
  public Object coerce(Object value, String field) {
    if (value == null) {
      return null;
    }
    if (isList()) {
      if (!(value instanceof List<?> list)) {
        throw mismatch(value, field);
      }
      ValueType element = elementType();
      List<Object> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        Object item = list.get(i);
        if (item == null) {
          throw new InvalidRequestException(
              "Cannot use value for '" + field + "': element " + i + " of a " + this + " is null");
        }
        out.add(element.coerce(item, field + "[" + i + "]"));
      }
      return Collections.unmodifiableList(out);
    }
    return switch (this) {
      case BOOL -> {
        if (value instanceof Boolean) {
          yield value;
        }
        throw mismatch(value, field);
      }
      case INT32 -> {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
          yield ((Number) value).intValue();
        }
        if (value instanceof Long l && l == l.intValue()) {
          yield l.intValue();
        }
        throw mismatch(value, field);
      }
      case INT64, TIMESTAMP -> {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
          yield ((Number) value).longValue();
        }
        throw mismatch(value, field);
      }
      case FLOAT -> {
        if (value instanceof Float) {
          yield value;
        }
        if (value instanceof Double d && (d.isNaN() || d.isInfinite() || (double) d.floatValue() == d)) {
          yield d.floatValue();
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
          yield ((Number) value).floatValue();
        }
        throw mismatch(value, field);
      }
      case DOUBLE -> {
        if (value instanceof Double) {
          yield value;
        }
        if (value instanceof Float || value instanceof Integer || value instanceof Short || value instanceof Byte) {
          yield ((Number) value).doubleValue();
        }
        throw mismatch(value, field);
      }
      case STRING -> {
        if (value instanceof String) {
          yield value;
        }
        throw mismatch(value, field);
      }
      case BYTES -> {
        if (value instanceof ByteBuffer buffer) {
          yield buffer.asReadOnlyBuffer();
        }
        if (value instanceof byte[] bytes) {
          yield ByteBuffer.wrap(bytes.clone()).asReadOnlyBuffer();
        }
        throw mismatch(value, field);
      }
      default -> throw new AssertionError(this);
    };
  }

  private Class<?> scalarClass() {
    return switch (this) {
      case BOOL -> Boolean.class;
      case INT32 -> Integer.class;
      case INT64, TIMESTAMP -> Long.class;
      case FLOAT -> Float.class;
      case DOUBLE -> Double.class;
      case STRING -> String.class;
      case BYTES -> ByteBuffer.class;
      default -> throw new AssertionError(this);
    };
  }

  private InvalidRequestException mismatch(Object value, String field) {
    String shown = String.valueOf(value);
    if (shown.length() > 40) {
      shown = shown.substring(0, 40) + "...";
    }
    return new InvalidRequestException(
        "Cannot use value for '" + field + "': expected " + this + " but got " + value.getClass().getSimpleName()
            + " '" + shown + "'");
  }
}
