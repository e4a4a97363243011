package dev.featurestore.bench;

import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.online.spi.OnlineStore;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Loads a view's rows into every store through the public {@link OnlineStore#write}: batches generated once and
 * written to all stores, a few batches in flight, progress printed every two seconds.
 */
final class Loader {
  private static final int IN_FLIGHT = 4;

  private final PrintStream out;
  private final int batchSize;

  Loader(PrintStream out, int batchSize) {
    this.out = out;
    this.batchSize = batchSize;
  }

  void load(BenchData data, FeatureView view, int count, List<OnlineStore> stores) {
    long start = System.nanoTime();
    long lastPrint = start;
    Semaphore window = new Semaphore(IN_FLIGHT);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int from = 0; from < count && failure.get() == null; from += batchSize) {
      List<FeatureRow> rows = new ArrayList<>(batchSize);
      for (int id = from; id < Math.min(count, from + batchSize); id++) {
        rows.add(data.row(view, id));
      }
      acquire(window, 1);
      List<CompletableFuture<Void>> writes = new ArrayList<>(stores.size());
      for (OnlineStore store : stores) {
        writes.add(store.write(view, rows).toCompletableFuture());
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).whenComplete((done, error) -> {
        if (error != null) {
          failure.compareAndSet(null, error);
        }
        window.release();
      });
      long now = System.nanoTime();
      if (now - lastPrint > TimeUnit.SECONDS.toNanos(2)) {
        lastPrint = now;
        progress(view, Math.min(count, from + batchSize), count, start, now);
      }
    }
    acquire(window, IN_FLIGHT);
    window.release(IN_FLIGHT);
    if (failure.get() != null) {
      throw new IllegalStateException(
          "Cannot load view '" + view.name() + "': " + failure.get().getMessage(), failure.get());
    }
    progress(view, count, count, start, System.nanoTime());
  }

  private void progress(FeatureView view, int done, int count, long start, long now) {
    double seconds = Math.max(1e-9, (now - start) / 1e9);
    out.printf(Locale.ROOT, "  loading %-10s %,9d / %,d rows  (%,.0f rows/s, %.1f s)%n",
        view.name(), done, count, done / seconds, seconds);
    out.flush();
  }

  private static void acquire(Semaphore semaphore, int permits) {
    try {
      if (!semaphore.tryAcquire(permits, 10, TimeUnit.MINUTES)) {
        throw new IllegalStateException("Cannot load rows: a batch write did not finish within 10 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Cannot load rows: interrupted", e);
    }
  }
}
