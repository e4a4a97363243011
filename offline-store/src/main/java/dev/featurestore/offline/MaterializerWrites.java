package dev.featurestore.offline;

import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.online.spi.OnlineStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.IntConsumer;

/**
 * Gathers the rows a materialization writes into batches of a fixed size and sends them through the store's batch
 * write, at most {@code inFlight} batches unconfirmed, reporting progress as batches are confirmed. Thread-safe:
 * several reading threads add rows; a thread adding a full batch while too many are unconfirmed waits for the
 * oldest, which bounds memory and store load.
 *
 * <p>After the first failure (a write the store refused, or the after-batch hook throwing) nothing more is sent:
 * every later {@link #add} throws, and {@link #settle} lets the batches already sent finish, so that nothing of a
 * failed run writes after it has failed.
 */
final class MaterializerWrites {
  private final OnlineStore online;
  private final FeatureView view;
  private final int batchSize;
  private final int maxInFlight;
  private final long total;
  private final ProgressListener progress;
  private final IntConsumer afterBatch;
  private final Deque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
  private final Deque<Integer> sizes = new ArrayDeque<>();
  private List<FeatureRow> batch;
  private long done;
  private int confirmed;
  private RuntimeException failure;

  /**
   * @param total the rows that will be added, for progress
   * @param afterBatch called with the number of batches confirmed so far, after each one: a fault hook for tests
   */
  MaterializerWrites(OnlineStore online, FeatureView view, int batchSize, int maxInFlight, long total,
      ProgressListener progress, IntConsumer afterBatch) {
    this.online = online;
    this.view = view;
    this.batchSize = batchSize;
    this.maxInFlight = maxInFlight;
    this.total = total;
    this.progress = progress;
    this.afterBatch = afterBatch;
    this.batch = new ArrayList<>((int) Math.min(batchSize, total));
    progress.onProgress(0, total);
  }

  /** Adds rows, sending each batch they fill. */
  synchronized void add(List<FeatureRow> rows) {
    if (failure != null) {
      throw new CancellationException("Cannot materialize view '" + view.name() + "': the run failed already");
    }
    try {
      for (FeatureRow row : rows) {
        batch.add(row);
        if (batch.size() == batchSize) {
          send();
        }
      }
    } catch (RuntimeException e) {
      failure = e;
      throw e;
    }
  }

  /** Sends the last batch and waits until every batch is confirmed; returns the rows written. */
  synchronized long finish() {
    if (failure != null) {
      throw failure;
    }
    try {
      if (!batch.isEmpty()) {
        send();
      }
      while (!inFlight.isEmpty()) {
        confirmOldest();
      }
      return done;
    } catch (RuntimeException e) {
      failure = e;
      throw e;
    }
  }

  /**
   * Stops sending and waits until the batches already sent have settled, whatever their outcome; returns the first
   * failure of this writer, or null when none.
   */
  synchronized RuntimeException settle() {
    RuntimeException first = failure;
    if (failure == null) {
      failure = new CancellationException("Cannot materialize view '" + view.name() + "': the run was stopped");
    }
    settleInFlight();
    return first;
  }

  private void settleInFlight() {
    for (CompletableFuture<Void> pending : inFlight) {
      try {
        pending.join();
      } catch (RuntimeException ignored) {
        // the first failure is the one reported
      }
    }
    inFlight.clear();
  }

  private void send() {
    inFlight.add(online.write(view, batch).toCompletableFuture());
    sizes.add(batch.size());
    batch = new ArrayList<>(batchSize);
    if (inFlight.size() >= maxInFlight) {
      confirmOldest();
    }
  }

  private void confirmOldest() {
    await(inFlight.peek());
    inFlight.poll();
    done += sizes.poll();
    progress.onProgress(done, total);
    afterBatch.accept(++confirmed);
  }

  private void await(CompletableFuture<Void> write) {
    try {
      write.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("Cannot materialize view '" + view.name() + "': interrupted", e);
    } catch (ExecutionException | CancellationException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof FeatureStoreException known) {
        throw known;
      }
      throw new UnavailableException(
          "Cannot materialize view '" + view.name() + "': the online store failed (" + cause + ")", cause);
    }
  }
}
