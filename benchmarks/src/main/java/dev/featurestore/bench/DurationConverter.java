package dev.featurestore.bench;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/** Reads {@code 500ms}, {@code 20s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT5M}) durations. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

  @Override
  public Duration convert(String text) {
    String value = text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (value.startsWith("pt") || value.startsWith("p")) {
        return positive(Duration.parse(value.toUpperCase(java.util.Locale.ROOT)), text);
      }
      if (value.endsWith("ms")) {
        return positive(Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2))), text);
      }
      long amount = Long.parseLong(value.substring(0, value.length() - 1));
      return positive(switch (value.charAt(value.length() - 1)) {
        case 's' -> Duration.ofSeconds(amount);
        case 'm' -> Duration.ofMinutes(amount);
        case 'h' -> Duration.ofHours(amount);
        default -> throw new NumberFormatException(value);
      }, text);
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      throw new CommandLine.TypeConversionException(
          "'" + text + "' is not a duration: expected for example 500ms, 20s, 5m or PT5M");
    }
  }

  private static Duration positive(Duration duration, String text) {
    if (duration.isNegative()) {
      throw new CommandLine.TypeConversionException("'" + text + "' is negative: expected a positive duration");
    }
    return duration;
  }
}
