package dev.featurestore.offline.predictions;

import java.time.Duration;
import java.util.Objects;

/**
 * How the prediction log batches its Iceberg commits. Immutable; start from {@link #defaults()} and refine with the
 * {@code withX} methods.
 *
 * @param commitRows the writer commits as soon as this many logged rows wait (default 50,000): bounds the memory
 *     the writer holds and the size of one commit
 * @param commitInterval the writer commits rows at the latest this long after the first of them was accepted
 *     (default 10 s): the longest a prediction waits before a training set or an analysis can see it. Each commit
 *     makes one Iceberg snapshot per model that has rows in it
 * @param queueCapacity how many offered batches may wait for the writer; beyond it {@code offer} drops the batch
 *     and counts it (default 10,000)
 */
public record PredictionLogOptions(int commitRows, Duration commitInterval, int queueCapacity) {
  public PredictionLogOptions {
    Objects.requireNonNull(commitInterval, "commitInterval");
    if (commitRows < 1) {
      throw new IllegalArgumentException("Cannot use commit size " + commitRows + " rows: it must be positive");
    }
    if (commitInterval.isNegative() || commitInterval.isZero()) {
      throw new IllegalArgumentException("Cannot use commit interval " + commitInterval + ": it must be positive");
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("Cannot use queue capacity " + queueCapacity + ": it must be positive");
    }
  }

  public static PredictionLogOptions defaults() {
    return new PredictionLogOptions(50_000, Duration.ofSeconds(10), 10_000);
  }

  public PredictionLogOptions withCommitRows(int commitRows) {
    return new PredictionLogOptions(commitRows, commitInterval, queueCapacity);
  }

  public PredictionLogOptions withCommitInterval(Duration commitInterval) {
    return new PredictionLogOptions(commitRows, commitInterval, queueCapacity);
  }

  public PredictionLogOptions withQueueCapacity(int queueCapacity) {
    return new PredictionLogOptions(commitRows, commitInterval, queueCapacity);
  }
}
