package dev.featurestore.online.server;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.proto.ProtoValues;
import dev.featurestore.proto.v1.Value;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Feature and key values between JSON and the wire {@link Value}: JSON to a value of the declared type, and a value
 * to natural JSON (numbers, strings, booleans, arrays; BYTES as base64, TIMESTAMP as epoch microseconds; null).
 *
 * <p>A JSON value that does not fit the declared type becomes the wire value of its own JSON kind (an integer
 * INT64, a fraction DOUBLE, a string STRING, an array the list of its elements' kind), so that the validation the
 * gRPC service runs refuses it with the same message. Only what has no wire form at all (an object, a mixed array,
 * an integer beyond 64 bits) and the JSON-only encodings (base64, ISO-8601) are refused here.
 */
final class JsonValues {
  private static final Value NULL = Value.getDefaultInstance();
  private static final int SHOWN_CHARS = 40;

  private JsonValues() {}

  /**
   * The wire value of a JSON value (as decoded by Vert.x: null, Boolean, Integer, Long, BigInteger, Double, String,
   * Map or List, or JsonObject/JsonArray) for a name declared with {@code type}.
   *
   * @param type the declared type, or null when the name is not declared (the shared validation then refuses or
   *     ignores the name, so a value without wire form becomes null rather than an error)
   * @param where the row, as the shared validation names it ("entity row 3")
   * @param field the name, as the shared validation names it ("join key 'user_id'")
   * @throws InvalidRequestException naming row, field and value when the value has no wire form, or is a string
   *     that is not the base64 or ISO-8601 its BYTES or TIMESTAMP type asks for
   */
  static Value toProto(Object json, ValueType type, String where, String field) {
    Object value = unwrap(json);
    if (value == null) {
      return NULL;
    }
    if (type != null) {
      Object typed = type.isList() ? list(value, type.elementType(), where, field) : scalar(value, type, where, field);
      if (typed != null) {
        return ProtoValues.toProto(typed, type);
      }
    }
    Value natural = natural(value);
    if (natural != null) {
      return natural;
    }
    if (type == null) {
      return NULL;
    }
    throw new InvalidRequestException(
        "Cannot read " + where + ": " + field + " must be " + type + " but is " + shown(value));
  }

  /**
   * A timestamp given as UTC microseconds (a JSON integer) or an ISO-8601 instant with offset
   * ("2026-01-01T12:00:00Z"); a JSON null is 0, which the shared validation reads as "not given".
   *
   * @throws InvalidRequestException naming row, field and value for anything else
   */
  static long timestamp(Object json, String where, String field) {
    Object value = unwrap(json);
    if (value == null) {
      return 0;
    }
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof String text) {
      Long micros = parseInstant(text);
      if (micros != null) {
        return micros;
      }
    }
    throw new InvalidRequestException(
        "Cannot read " + where + ": " + field + " must be UTC microseconds or an ISO-8601 instant but is "
            + shown(value));
  }

  /** Writes the natural JSON of a wire value: null for the empty value. */
  static void write(Value value, JsonGenerator out) throws IOException {
    write(ProtoValues.fromProto(value), out);
  }

  /**
   * Writes the natural JSON of a value in its Java representation ({@link ValueType}): numbers, strings, booleans,
   * BYTES as base64, TIMESTAMP as microseconds, lists as arrays, null as null.
   */
  static void write(Object value, JsonGenerator out) throws IOException {
    if (value == null) {
      out.writeNull();
    } else if (value instanceof Boolean b) {
      out.writeBoolean(b);
    } else if (value instanceof Integer i) {
      out.writeNumber(i);
    } else if (value instanceof Long l) {
      out.writeNumber(l);
    } else if (value instanceof Float f) {
      out.writeNumber(f);
    } else if (value instanceof Double d) {
      out.writeNumber(d);
    } else if (value instanceof String text) {
      out.writeString(text);
    } else if (value instanceof ByteBuffer bytes) {
      out.writeString(base64(bytes));
    } else if (value instanceof List<?> items) {
      out.writeStartArray();
      for (Object item : items) {
        write(item, out);
      }
      out.writeEndArray();
    } else {
      throw new IllegalArgumentException("Cannot write " + value.getClass().getName() + " as JSON: no value type");
    }
  }

  /** A JSON value as short text for messages: its JSON form, cut after 40 characters. */
  static String shown(Object json) {
    String text;
    try {
      text = Json.encode(json);
    } catch (RuntimeException e) {
      text = String.valueOf(json);
    }
    return text.length() > SHOWN_CHARS ? text.substring(0, SHOWN_CHARS) + "..." : text;
  }

  /** JsonObject and JsonArray as the Map and List they wrap, so one switch handles both decodings. */
  static Object unwrap(Object json) {
    if (json instanceof JsonObject object) {
      return object.getMap();
    }
    if (json instanceof JsonArray array) {
      return array.getList();
    }
    return json;
  }

  private static String base64(ByteBuffer bytes) {
    ByteBuffer copy = bytes.duplicate();
    byte[] raw = new byte[copy.remaining()];
    copy.get(raw);
    return Base64.getEncoder().encodeToString(raw);
  }

  /** The elements in the Java form of {@code element}, or null when one does not fit (then the natural form). */
  private static List<Object> list(Object value, ValueType element, String where, String field) {
    if (!(value instanceof List<?> items)) {
      return null;
    }
    List<Object> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Object item = unwrap(items.get(i));
      Object typed = item == null ? null : scalar(item, element, where, field + " element " + i);
      if (typed == null) {
        return null;
      }
      out.add(typed);
    }
    return out;
  }

  /** The Java form of a JSON scalar for {@code type}, or null when it does not fit. */
  private static Object scalar(Object value, ValueType type, String where, String field) {
    return switch (type) {
      case BOOL -> value instanceof Boolean ? value : null;
      case INT32 -> {
        if (value instanceof Integer) {
          yield value;
        }
        yield value instanceof Long l && l == l.intValue() ? l.intValue() : null;
      }
      case INT64 -> value instanceof Integer || value instanceof Long ? ((Number) value).longValue() : null;
      case TIMESTAMP -> {
        if (value instanceof Integer || value instanceof Long) {
          yield ((Number) value).longValue();
        }
        if (value instanceof String text) {
          Long micros = parseInstant(text);
          if (micros == null) {
            throw new InvalidRequestException("Cannot read " + where + ": " + field
                + " must be TIMESTAMP (UTC microseconds or an ISO-8601 instant) but is " + shown(text));
          }
          yield micros;
        }
        yield null;
      }
      case FLOAT -> {
        Double number = number(value);
        if (number == null) {
          yield null;
        }
        float narrowed = number.floatValue();
        // A finite number beyond the FLOAT range does not fit; it stays DOUBLE and is refused as such.
        yield Float.isInfinite(narrowed) && !number.isInfinite() ? null : narrowed;
      }
      case DOUBLE -> number(value);
      case STRING -> value instanceof String ? value : null;
      case BYTES -> {
        if (!(value instanceof String text)) {
          yield null;
        }
        try {
          yield ByteBuffer.wrap(Base64.getDecoder().decode(text)).asReadOnlyBuffer();
        } catch (IllegalArgumentException e) {
          throw new InvalidRequestException(
              "Cannot read " + where + ": " + field + " must be BYTES (base64) but is " + shown(text), e);
        }
      }
      default -> null;
    };
  }

  /** A JSON number, or the strings "NaN", "Infinity" and "-Infinity" that the responses write for those doubles. */
  private static Double number(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Double || value instanceof Float
        || value instanceof BigInteger || value instanceof BigDecimal) {
      return ((Number) value).doubleValue();
    }
    if (value instanceof String text) {
      return switch (text) {
        case "NaN" -> Double.NaN;
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> null;
      };
    }
    return null;
  }

  /** The wire value of a JSON value's own kind, or null when it has none. */
  private static Value natural(Object value) {
    ValueType type = kind(value);
    if (type != null) {
      return ProtoValues.toProto(canonical(value, type), type);
    }
    if (!(value instanceof List<?> items) || items.isEmpty()) {
      return null;
    }
    ValueType element = null;
    for (Object item : items) {
      ValueType itemType = kind(unwrap(item));
      element = itemType == null ? null : element == null || element == itemType ? itemType : wider(element, itemType);
      if (element == null) {
        return null;
      }
    }
    List<Object> canonical = new ArrayList<>(items.size());
    for (Object item : items) {
      canonical.add(canonical(unwrap(item), element));
    }
    return ProtoValues.toProto(canonical, element.listType());
  }

  /** The JSON kinds that have a wire form: BOOL, INT64 (integers within 64 bits), DOUBLE, STRING; else null. */
  private static ValueType kind(Object value) {
    if (value instanceof Boolean) {
      return ValueType.BOOL;
    }
    if (value instanceof Integer || value instanceof Long) {
      return ValueType.INT64;
    }
    if (value instanceof Double || value instanceof Float) {
      return ValueType.DOUBLE;
    }
    if (value instanceof String) {
      return ValueType.STRING;
    }
    return null;
  }

  private static Object canonical(Object value, ValueType kind) {
    return switch (kind) {
      case INT64 -> ((Number) value).longValue();
      case DOUBLE -> ((Number) value).doubleValue();
      default -> value;
    };
  }

  /** Integers and fractions mix into DOUBLE; any other mix has no wire form. */
  private static ValueType wider(ValueType a, ValueType b) {
    boolean numeric = (a == ValueType.INT64 || a == ValueType.DOUBLE) && (b == ValueType.INT64 || b == ValueType.DOUBLE);
    return numeric ? ValueType.DOUBLE : null;
  }

  /** UTC microseconds of an ISO-8601 instant with offset, or null when the text is none or out of range. */
  private static Long parseInstant(String text) {
    try {
      Instant instant = OffsetDateTime.parse(text).toInstant();
      return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    } catch (DateTimeParseException | ArithmeticException e) {
      return null;
    }
  }

  /** A JSON object's members, for callers that read request bodies. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object json) {
    Object value = unwrap(json);
    return value instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
  }
}
