package dev.featurestore.online;

import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.InvalidRequestException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * When a store lets the record of a key expire: at the row's event timestamp plus the view's TTL plus a grace
 * period, so that the store itself removes data no read could serve as fresh. Views without a TTL never expire.
 *
 * <p>The grace keeps a value for a while after it went stale, so that reads in that window still find it and report
 * {@code OUTSIDE_MAX_AGE} (decided from the event timestamp and the reader's clock, never from whether the store
 * dropped the key); after it, the key is gone and reads report {@code NOT_FOUND}. The default grace is the view's
 * TTL itself, so a key lives for twice its TTL after its event.
 *
 * @param grace the grace period, or null for "the view's TTL"
 */
record KeyExpiry(Duration grace) {
  /** The expiry of a key that never expires. */
  static final long NEVER = Long.MAX_VALUE;

  /** The default: the grace is the view's TTL. */
  static final KeyExpiry DEFAULT = new KeyExpiry(null);

  KeyExpiry {
    if (grace != null && grace.isNegative()) {
      throw new InvalidRequestException("Cannot use expiry grace " + grace + ": it is negative");
    }
  }

  /**
   * Parses a grace period: {@code 0}, a whole number with unit {@code ms, s, m, h} or {@code d} ({@code 30s},
   * {@code 2h}), or ISO-8601 ({@code PT1H30M}).
   *
   * @throws InvalidRequestException naming the text when it is none of these
   */
  static KeyExpiry parse(String text) {
    String trimmed = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (trimmed.equals("0")) {
        return new KeyExpiry(Duration.ZERO);
      }
      if (trimmed.startsWith("p")) {
        return new KeyExpiry(Duration.parse(trimmed.toUpperCase(Locale.ROOT)));
      }
      int unitStart = 0;
      while (unitStart < trimmed.length() && Character.isDigit(trimmed.charAt(unitStart))) {
        unitStart++;
      }
      if (unitStart > 0) {
        long amount = Long.parseLong(trimmed.substring(0, unitStart));
        switch (trimmed.substring(unitStart)) {
          case "ms":
            return new KeyExpiry(Duration.ofMillis(amount));
          case "s":
            return new KeyExpiry(Duration.ofSeconds(amount));
          case "m":
            return new KeyExpiry(Duration.ofMinutes(amount));
          case "h":
            return new KeyExpiry(Duration.ofHours(amount));
          case "d":
            return new KeyExpiry(Duration.ofDays(amount));
          default:
            break;
        }
      }
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      // reported below
    }
    throw new InvalidRequestException("Cannot use expiry grace '" + text
        + "': expected 0, a whole number with unit ms, s, m, h or d such as 30s or 2h, or ISO-8601 such as PT1H");
  }

  /**
   * The epoch millisecond at which the record of {@code row} may be removed: event timestamp + TTL + grace, rounded
   * up to the millisecond so that a key never goes before its time; {@link #NEVER} when the view has no TTL or the
   * sum is beyond what a long holds. May lie in the past: such a row is stale beyond its grace already.
   */
  long expireAtMillis(FeatureView view, FeatureRow row) {
    return expireAtMillis(view, row.eventTimestampMicros());
  }

  long expireAtMillis(FeatureView view, long eventMicros) {
    if (!view.hasTtl()) {
      return NEVER;
    }
    long ttl = view.ttlMicros();
    try {
      long graceMicros = grace == null ? ttl : Math.multiplyExact(grace.getSeconds(), 1_000_000L)
          + grace.getNano() / 1_000;
      long micros = Math.addExact(Math.addExact(eventMicros, ttl), graceMicros);
      // Ceiling division: floorDiv of the negation, negated.
      return -Math.floorDiv(-micros, 1_000L);
    } catch (ArithmeticException e) {
      return NEVER;
    }
  }
}
