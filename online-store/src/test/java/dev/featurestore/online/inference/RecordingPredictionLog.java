package dev.featurestore.online.inference;

import dev.featurestore.online.spi.PredictionBatch;
import dev.featurestore.online.spi.PredictionLog;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Keeps every offered batch in memory, for tests that check what was logged against what was answered. */
final class RecordingPredictionLog implements PredictionLog {
  private final ConcurrentLinkedQueue<PredictionBatch> batches = new ConcurrentLinkedQueue<>();

  @Override
  public boolean offer(PredictionBatch batch) {
    batches.add(batch);
    return true;
  }

  Optional<PredictionBatch> find(String requestId) {
    return batches.stream().filter(b -> b.requestId().equals(requestId)).findFirst();
  }

  List<PredictionBatch> all() {
    return List.copyOf(batches);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
