package dev.featurestore.offline;

import dev.featurestore.api.error.InvalidRequestException;
import java.time.Duration;
import java.util.Objects;

/**
 * Which snapshots of a view's table {@link OfflineStore#expireSnapshots} keeps: every snapshot younger than
 * {@code maxAge}, and the last {@code retainLast} whatever their age. Inside that window a snapshot still reads as
 * it did (time travel by snapshot id: training-set manifests, the materialization watermark, the push log's
 * replay check); beyond it the snapshot is gone, and so are the data files only it referenced. Immutable; start
 * from {@link #defaults()} and refine with the {@code withX} methods.
 *
 * @param maxAge snapshots committed within this long before now are kept (default 7 days)
 * @param retainLast this many of the most recent snapshots are kept however old (default 10; at least 1)
 */
public record RetentionPolicy(Duration maxAge, int retainLast) {
  public RetentionPolicy {
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxAge.isNegative()) {
      throw new InvalidRequestException("Cannot expire snapshots: maximum age " + maxAge + " is negative");
    }
    if (retainLast < 1) {
      throw new InvalidRequestException("Cannot expire snapshots: retain-last " + retainLast + " must be at least 1");
    }
  }

  public static RetentionPolicy defaults() {
    return new RetentionPolicy(Duration.ofDays(7), 10);
  }

  public RetentionPolicy withMaxAge(Duration maxAge) {
    return new RetentionPolicy(maxAge, retainLast);
  }

  public RetentionPolicy withRetainLast(int retainLast) {
    return new RetentionPolicy(maxAge, retainLast);
  }
}
