package dev.featurestore.offline;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Where a training set's Arrow batches go: a Parquet file, a Flight stream. The join fills one root again and
 * again; the sink consumes each batch before {@link #write} returns (or keeps its own references to the buffers,
 * or takes them: {@link PipelinedSink}). Used by one thread at a time.
 */
interface TrainingSetSink {

  /** Before the first batch: the root whose schema every batch has and which every batch fills. */
  void begin(VectorSchemaRoot root);

  void write(VectorSchemaRoot batch);

  /** After the last batch: make the result visible. */
  void finish();

  /** Instead of {@link #finish}, when the join failed: leave nothing half written. */
  void abort(RuntimeException cause);
}
