package dev.featurestore.deploy;

import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.offline.RetentionPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * Care of the views' Iceberg tables: which snapshots {@code expire-snapshots} keeps, and whether {@code serve} also
 * compacts and expires every view's table on a schedule. Immutable.
 *
 * @param interval how often {@code serve} compacts and then expires every view's table; {@link Duration#ZERO}
 *     (the default) turns the schedule off
 * @param retention the snapshots expiry keeps (default 7 days and at least the last 10)
 */
public record TableCareConfig(Duration interval, RetentionPolicy retention) {
  public TableCareConfig {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(retention, "retention");
    if (interval.isNegative()) {
      throw new InvalidRequestException("Cannot use table care interval " + interval + ": it is negative");
    }
  }

  /** No schedule, the default retention policy. */
  public static TableCareConfig off() {
    return new TableCareConfig(Duration.ZERO, RetentionPolicy.defaults());
  }

  /** Whether {@code serve} runs the schedule. */
  public boolean scheduled() {
    return !interval.isZero();
  }
}
