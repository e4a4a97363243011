package dev.featurestore.offline.predictions;

import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.online.spi.PredictionBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link OfflinePredictionLog} on an Iceberg catalog: a bounded queue that {@link #offer} fills without blocking,
 * and one writer thread that gathers batches and commits them per model ({@link PredictionTables}).
 *
 * <p>{@link #flush} and {@link #close} put a marker in the same queue, so the writer reaches it only after every
 * batch accepted before; it commits what it holds, then completes the marker. Offers take the read side of
 * {@code admission} and close its write side, so no batch is accepted after close queued its marker.
 */
final class IcebergPredictionLog implements OfflinePredictionLog {
  private static final Logger LOG = LoggerFactory.getLogger(IcebergPredictionLog.class);
  private static final long IDLE_POLL_MILLIS = 1_000;

  private final HadoopCatalog catalog;
  private final PredictionTables tables;
  private final PredictionLogOptions options;
  private final BlockingQueue<Item> queue;
  private final ReentrantReadWriteLock admission = new ReentrantReadWriteLock();
  private volatile boolean closed;
  /** Held by the writer while it handles an item; package-private so that a test can stall the writer. */
  final ReentrantLock writerLock = new ReentrantLock();
  private final Thread writer;

  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong rowsWritten = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();

  // the writer thread's own state
  private final List<PredictionBatch> pending = new ArrayList<>();
  private long pendingRows;
  private long commitDeadlineNanos;

  private sealed interface Item permits Logged, Marker {}

  private record Logged(PredictionBatch batch) implements Item {}

  /** A flush (or, with {@code last}, the close) waiting for everything queued before it. */
  private record Marker(CompletableFuture<Void> done, boolean last) implements Item {}

  IcebergPredictionLog(HadoopCatalog catalog, PredictionLogOptions options) {
    this.catalog = catalog;
    this.tables = new PredictionTables(catalog);
    this.options = options;
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
    this.writer = new Thread(this::runWriter, "prediction-log-writer");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  @Override
  public boolean offer(PredictionBatch batch) {
    Objects.requireNonNull(batch, "batch");
    admission.readLock().lock();
    try {
      if (!closed && queue.offer(new Logged(batch))) {
        accepted.incrementAndGet();
        return true;
      }
    } finally {
      admission.readLock().unlock();
    }
    dropped.incrementAndGet();
    return false;
  }

  @Override
  public void flush() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    admission.readLock().lock();
    try {
      if (closed) {
        return;
      }
      queue.put(new Marker(done, false));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("Cannot flush the prediction log: interrupted", e);
    } finally {
      admission.readLock().unlock();
    }
    await(done, "flush");
  }

  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    admission.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      admission.writeLock().unlock();
    }
    boolean interrupted = false;
    while (true) {
      try {
        // the writer drains the queue, so a slot frees up; the marker must not be lost to an interrupt
        queue.put(new Marker(done, true));
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    while (true) {
      try {
        writer.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    try {
      catalog.close();
    } catch (IOException e) {
      LOG.warn("Cannot close the catalog of the prediction log: {}", e.getMessage());
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public PredictionLogStats stats() {
    return new PredictionLogStats(accepted.get(), dropped.get(), refused.get(), failed.get(), rowsWritten.get(),
        commits.get());
  }

  private void await(CompletableFuture<Void> done, String what) {
    try {
      done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("Cannot " + what + " the prediction log: interrupted", e);
    } catch (ExecutionException e) {
      throw new UnavailableException("Cannot " + what + " the prediction log: " + e.getCause(), e.getCause());
    }
  }

  private void runWriter() {
    while (true) {
      Item item;
      try {
        long wait = pending.isEmpty()
            ? TimeUnit.MILLISECONDS.toNanos(IDLE_POLL_MILLIS)
            : commitDeadlineNanos - System.nanoTime();
        item = queue.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        // private thread, never interrupted by the log: it ends only through the close marker
        continue;
      }
      writerLock.lock();
      try {
        if (item instanceof Logged logged) {
          if (pending.isEmpty()) {
            commitDeadlineNanos = System.nanoTime() + options.commitInterval().toNanos();
          }
          pending.add(logged.batch());
          pendingRows += logged.batch().rows().size();
          if (pendingRows >= options.commitRows()) {
            commitPending();
          }
        } else if (item instanceof Marker marker) {
          commitPending();
          marker.done().complete(null);
          if (marker.last()) {
            return;
          }
        } else if (!pending.isEmpty() && System.nanoTime() - commitDeadlineNanos >= 0) {
          commitPending();
        }
      } catch (RuntimeException | Error e) {
        // never let the writer die: a lost writer would strand every later batch and the close
        LOG.error("The prediction log writer failed; {} batch(es) lost", pending.size(), e);
        failed.addAndGet(pending.size());
        pending.clear();
        pendingRows = 0;
        if (item instanceof Marker marker) {
          marker.done().complete(null);
          if (marker.last()) {
            return;
          }
        }
      } finally {
        writerLock.unlock();
      }
    }
  }

  /** Commits every waiting batch, one Iceberg commit per model; counts what was refused and what failed. */
  private void commitPending() {
    if (pending.isEmpty()) {
      return;
    }
    Map<String, List<PreparedBatch>> byModel = new LinkedHashMap<>();
    for (PredictionBatch batch : pending) {
      try {
        PreparedBatch prepared = PreparedBatch.of(batch);
        if (!prepared.values().isEmpty()) {
          byModel.computeIfAbsent(batch.model(), model -> new ArrayList<>()).add(prepared);
        }
      } catch (InvalidRequestException e) {
        refused.incrementAndGet();
        LOG.error("Prediction log: refusing batch: {}", e.getMessage());
      }
    }
    pending.clear();
    pendingRows = 0;
    for (Map.Entry<String, List<PreparedBatch>> model : byModel.entrySet()) {
      try {
        PredictionTables.AppendResult result = tables.append(model.getKey(), model.getValue());
        for (PredictionTables.Refusal refusal : result.refused()) {
          refused.incrementAndGet();
          LOG.error("Prediction log: refusing request '{}' of model '{}' version {}: {}",
              refusal.batch().batch().requestId(), model.getKey(), refusal.batch().batch().modelVersion(),
              refusal.reason());
        }
        if (result.rows() > 0) {
          rowsWritten.addAndGet(result.rows());
          commits.incrementAndGet();
        }
      } catch (RuntimeException e) {
        failed.addAndGet(model.getValue().size());
        LOG.error("Prediction log: cannot commit {} batch(es) of model '{}'; they are lost",
            model.getValue().size(), model.getKey(), e);
      }
    }
  }
}
