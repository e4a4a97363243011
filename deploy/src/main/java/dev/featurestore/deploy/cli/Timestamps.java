package dev.featurestore.deploy.cli;

import dev.featurestore.api.error.InvalidRequestException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the time arguments of the command line: ISO-8601 instants, {@code now}, or {@code now-7d}. */
final class Timestamps {
  private static final Pattern RELATIVE = Pattern.compile("now(?:([+-])(\\d+)([smhd]))?");

  private Timestamps() {}

  static Instant parse(String text, String option, Clock clock) {
    Matcher relative = RELATIVE.matcher(text.trim());
    if (relative.matches()) {
      Instant now = clock.instant();
      if (relative.group(1) == null) {
        return now;
      }
      Duration amount = Duration.of(Long.parseLong(relative.group(2)), switch (relative.group(3)) {
        case "s" -> ChronoUnit.SECONDS;
        case "m" -> ChronoUnit.MINUTES;
        case "h" -> ChronoUnit.HOURS;
        default -> ChronoUnit.DAYS;
      });
      return relative.group(1).equals("+") ? now.plus(amount) : now.minus(amount);
    }
    try {
      return Instant.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException("Cannot read " + option + " '" + text
          + "': expected an ISO-8601 instant (2026-11-01T00:00:00Z), now, or now-7d / now+1h");
    }
  }

  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
