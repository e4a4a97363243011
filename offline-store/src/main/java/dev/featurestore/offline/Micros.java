package dev.featurestore.offline;

import java.time.Instant;

/** The current time in UTC microseconds, the unit of every timestamp. */
final class Micros {
  private Micros() {}

  static long now() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
