package dev.featurestore.offline;

import java.time.Duration;
import java.util.Objects;

/**
 * How the push write-ahead log trades freshness of the offline tier against the number of Iceberg commits.
 * Immutable; start from {@link #defaults()} and refine with the {@code withX} methods.
 *
 * @param flushInterval how often the log seals its open segment and appends its rows to the views' tables: the
 *     longest a pushed row waits before a training set can see it (default 10 s). Each flush of a non-empty
 *     segment makes one Iceberg commit per view it holds.
 * @param segmentBytes the size at which the open segment is sealed and flushed before its interval ends, bounding
 *     the memory a flush needs (default 16 MiB)
 * @param queueCapacity how many appends may wait for the writer; beyond it appends fail at once with
 *     {@link dev.featurestore.api.error.UnavailableException} rather than growing memory (default 4096)
 */
public record PushLogOptions(Duration flushInterval, long segmentBytes, int queueCapacity) {
  public PushLogOptions {
    Objects.requireNonNull(flushInterval, "flushInterval");
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("Cannot use flush interval " + flushInterval + ": it must be positive");
    }
    if (segmentBytes < 1024) {
      throw new IllegalArgumentException("Cannot use segment size " + segmentBytes + ": it must be at least 1024");
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("Cannot use queue capacity " + queueCapacity + ": it must be positive");
    }
  }

  public static PushLogOptions defaults() {
    return new PushLogOptions(Duration.ofSeconds(10), 16L << 20, 4096);
  }

  public PushLogOptions withFlushInterval(Duration flushInterval) {
    return new PushLogOptions(flushInterval, segmentBytes, queueCapacity);
  }

  public PushLogOptions withSegmentBytes(long segmentBytes) {
    return new PushLogOptions(flushInterval, segmentBytes, queueCapacity);
  }

  public PushLogOptions withQueueCapacity(int queueCapacity) {
    return new PushLogOptions(flushInterval, segmentBytes, queueCapacity);
  }
}
