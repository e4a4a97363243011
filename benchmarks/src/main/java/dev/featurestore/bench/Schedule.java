package dev.featurestore.bench;

import java.time.Duration;

/**
 * When each request of an open-loop run is meant to be sent: request {@code i} at {@code start + i / rate}, whatever
 * happened to the requests before it. Latency is measured from these intended times, so a stall of the server (or of
 * the generator) shows up in every request that should have been sent during it instead of being hidden (the
 * coordinated omission correction).
 *
 * @param startNanos {@link System#nanoTime()} of request 0
 * @param ratePerSecond requests per second, positive
 */
record Schedule(long startNanos, double ratePerSecond) {
  Schedule {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("Cannot schedule requests at " + ratePerSecond + " per second: expected > 0");
    }
  }

  /** The intended send time of request {@code index}; computed from the start, so rounding never accumulates. */
  long intendedNanos(long index) {
    return startNanos + Math.round(index * 1e9 / ratePerSecond);
  }

  /** How many requests a run of {@code duration} sends: those whose intended time falls inside it. */
  long count(Duration duration) {
    return Math.max(1, (long) Math.ceil(duration.toNanos() * ratePerSecond / 1e9));
  }
}
