package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses CSV cells into canonical values (see {@link ValueType}): booleans {@code true}/{@code false}, decimal
 * numbers, Base64 bytes, timestamps as ISO-8601 instants (any fraction, {@code Z} or an offset) or integer epoch
 * microseconds, lists as {@code [a, b, "c,d"]}.
 */
final class CsvValues {
  private static final Pattern INTEGER = Pattern.compile("-?\\d+");

  private CsvValues() {}

  /**
   * The value of a non-empty cell.
   *
   * @throws IllegalArgumentException when the text is no value of the type
   */
  static Object parse(String text, ValueType type) {
    if (type.isList()) {
      List<String> items = splitList(text.trim());
      List<Object> values = new ArrayList<>(items.size());
      for (String item : items) {
        values.add(parseScalar(unquote(item), type.elementType()));
      }
      return Collections.unmodifiableList(values);
    }
    return parseScalar(text, type);
  }

  private static Object parseScalar(String raw, ValueType type) {
    String text = type == ValueType.STRING ? raw : raw.trim();
    return switch (type) {
      case BOOL -> switch (text.toLowerCase(Locale.ROOT)) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> throw new IllegalArgumentException(text);
      };
      case INT32 -> Integer.parseInt(text);
      case INT64 -> Long.parseLong(text);
      case FLOAT -> {
        float value = Float.parseFloat(text);
        // parseFloat turns an out-of-range number into infinity; only an explicit infinity may be one
        if (Float.isInfinite(value) && !text.toLowerCase(Locale.ROOT).contains("inf")) {
          throw new IllegalArgumentException(text);
        }
        yield value;
      }
      case DOUBLE -> {
        double value = Double.parseDouble(text);
        if (Double.isInfinite(value) && !text.toLowerCase(Locale.ROOT).contains("inf")) {
          throw new IllegalArgumentException(text);
        }
        yield value;
      }
      case STRING -> text;
      case BYTES -> ByteBuffer.wrap(Base64.getDecoder().decode(text)).asReadOnlyBuffer();
      case TIMESTAMP -> parseTimestamp(text);
      default -> throw new AssertionError(type);
    };
  }

  /** Epoch microseconds of an ISO-8601 instant or of an integer count of microseconds. */
  static long parseTimestamp(String text) {
    if (INTEGER.matcher(text).matches()) {
      return Long.parseLong(text);
    }
    Instant instant;
    try {
      instant = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(text, e);
    }
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  private static List<String> splitList(String text) {
    if (text.length() < 2 || text.charAt(0) != '[' || text.charAt(text.length() - 1) != ']') {
      throw new IllegalArgumentException(text);
    }
    String body = text.substring(1, text.length() - 1);
    List<String> items = new ArrayList<>();
    if (body.isBlank()) {
      return items;
    }
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (quoted && c == '\\' && i + 1 < body.length()) {
        current.append(c).append(body.charAt(++i));
      } else if (c == '"') {
        quoted = !quoted;
        current.append(c);
      } else if (c == ',' && !quoted) {
        items.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException(text);
    }
    items.add(current.toString());
    for (String item : items) {
      if (item.isBlank() || item.trim().equals("null")) {
        // list elements are never null: a hole in a list is an error, not a value
        throw new IllegalArgumentException(text);
      }
    }
    return items;
  }

  private static String unquote(String item) {
    String trimmed = item.trim();
    if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
      StringBuilder out = new StringBuilder();
      for (int i = 1; i < trimmed.length() - 1; i++) {
        char c = trimmed.charAt(i);
        if (c == '\\' && i + 1 < trimmed.length() - 1) {
          c = trimmed.charAt(++i);
        }
        out.append(c);
      }
      return out.toString();
    }
    return trimmed;
  }
}
