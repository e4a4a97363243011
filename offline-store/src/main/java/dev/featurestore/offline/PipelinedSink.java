package dev.featurestore.offline;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A sink in front of another that consumes each batch on a thread of its own, so that the join fills the next batch
 * (reading the entity file, setting vectors) while the sink before it writes the previous one (content hash,
 * Parquet encoding and compression, or a Flight stream). Both took one thread each, one after the other; the output
 * was the longest step of a training set after the views' joins, with the second core idle.
 *
 * <p>{@link #write} takes the batch's buffers (a zero-copy transfer into a root of its own, which the sink behind it
 * was begun with) and returns once the previous batch is written: at most one batch waits. The caller's root is
 * left empty, to be allocated again, as the join does for every batch. A failure of the sink behind it is thrown by
 * the next call. The sink behind it is used by one thread at a time.
 */
final class PipelinedSink implements TrainingSetSink, AutoCloseable {
  private final TrainingSetSink sink;
  private final BufferAllocator allocator;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "fstore-training-set-writer");
    thread.setDaemon(true);
    return thread;
  });
  private VectorSchemaRoot sinkRoot;
  private Future<?> pending;

  PipelinedSink(TrainingSetSink sink, BufferAllocator allocator) {
    this.sink = sink;
    this.allocator = allocator;
  }

  @Override
  public void begin(VectorSchemaRoot root) {
    sinkRoot = VectorSchemaRoot.create(root.getSchema(), allocator);
    sink.begin(sinkRoot);
  }

  @Override
  public void write(VectorSchemaRoot batch) {
    awaitPending();
    List<FieldVector> from = batch.getFieldVectors();
    List<FieldVector> to = sinkRoot.getFieldVectors();
    for (int c = 0; c < from.size(); c++) {
      from.get(c).makeTransferPair(to.get(c)).transfer();
    }
    sinkRoot.setRowCount(batch.getRowCount());
    batch.setRowCount(0);
    pending = writer.submit(() -> sink.write(sinkRoot));
  }

  @Override
  public void finish() {
    awaitPending();
    sink.finish();
  }

  @Override
  public void abort(RuntimeException cause) {
    try {
      awaitPending();
    } catch (RuntimeException e) {
      if (e != cause) {
        cause.addSuppressed(e);
      }
    }
    sink.abort(cause);
  }

  /** Waits for the batch being written, rethrowing its failure as it was thrown. */
  private void awaitPending() {
    if (pending == null) {
      return;
    }
    Future<?> batch = pending;
    pending = null;
    try {
      batch.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      batch.cancel(true);
      throw new IllegalStateException("Cannot write training set: interrupted", e);
    }
  }

  /** Stops the writer thread (after the batch in flight, if any) and releases the buffers of the last batch. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      awaitPending();
    } catch (RuntimeException e) {
      // already thrown by write, finish or abort: close only releases
    }
    if (sinkRoot != null) {
      sinkRoot.close();
    }
  }
}
