package dev.featurestore.online.spi;

/**
 * Where the inference endpoint records what it served, for training the next model and for experiment analysis.
 *
 * <p>Implementations are thread-safe. {@link #offer} never blocks: it hands the batch to a bounded queue that a
 * background writer drains in batches, so logging adds nothing to request latency. Records accepted by
 * {@link #offer} are never lost on a clean {@link #close}.
 */
public interface PredictionLog extends AutoCloseable {

  /**
   * Accepts the rows one predict call scored, without blocking.
   *
   * @return false when the queue is full and the batch was dropped (the implementation counts drops)
   */
  boolean offer(PredictionBatch batch);

  /** Writes out everything accepted so far and waits for it. Blocks: never call it from an event loop. */
  void flush();

  /** Flushes, then releases resources. Blocks. */
  @Override
  void close();
}
