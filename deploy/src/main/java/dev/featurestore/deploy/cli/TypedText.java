package dev.featurestore.deploy.cli;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.InvalidRequestException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Turns what a person types or a JSON file holds into a value of a declared type: numbers as written (a decimal
 * for a FLOAT is rounded to float as parsing it would), timestamps as ISO-8601 instants or epoch microseconds.
 */
final class TypedText {
  private TypedText() {}

  /** @param value a String, Number, Boolean or List as Jackson or the command line gives it */
  static Object toType(Object value, ValueType type, String field) {
    if (value == null) {
      return null;
    }
    if (type.isList()) {
      if (!(value instanceof List<?> list)) {
        throw new InvalidRequestException(
            "Cannot use value for '" + field + "': expected a list of " + type.elementType() + " but got '" + value
                + "'");
      }
      return type.coerce(list.stream().map(item -> toType(item, type.elementType(), field)).toList(), field);
    }
    if (value instanceof String text && type != ValueType.STRING) {
      return fromText(text, type, field);
    }
    if (type == ValueType.FLOAT && value instanceof Number number) {
      return number.floatValue();
    }
    if (type == ValueType.DOUBLE && value instanceof Number number) {
      return number.doubleValue();
    }
    return type.coerce(value, field);
  }

  static Object fromText(String text, ValueType type, String field) {
    try {
      return switch (type) {
        case BOOL -> switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
          case "true" -> true;
          case "false" -> false;
          default -> throw new NumberFormatException();
        };
        case INT32 -> Integer.parseInt(text.trim());
        case INT64 -> Long.parseLong(text.trim());
        case FLOAT -> Float.parseFloat(text.trim());
        case DOUBLE -> Double.parseDouble(text.trim());
        case STRING -> text;
        case BYTES -> java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(text.trim()))
            .asReadOnlyBuffer();
        case TIMESTAMP -> timestamp(text.trim());
        default -> throw new InvalidRequestException(
            "Cannot use value for '" + field + "': a " + type + " cannot be written as text here");
      };
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new InvalidRequestException(
          "Cannot use value for '" + field + "': '" + text + "' is not a " + type);
    }
  }

  private static long timestamp(String text) {
    if (text.matches("-?\\d+")) {
      return Long.parseLong(text);
    }
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse(text));
  }
}
