package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PipelinedSink} on real Arrow vectors: the sink behind it sees every batch, in order, with its values, on
 * another thread; the caller's root is emptied by each write; a failure behind it reaches the caller by the next
 * call; nothing is left allocated.
 */
class PipelinedSinkTest {
  private final BufferAllocator allocator = new RootAllocator();
  private final Schema schema = new Schema(List.of(ArrowValues.field("id", ValueType.INT64),
      ArrowValues.field("name", ValueType.STRING)));

  @AfterEach
  void close() {
    assertThat(allocator.getAllocatedMemory()).as("buffers left allocated").isZero();
    allocator.close();
  }

  @Test
  void write_batches_reachTheSinkInOrderOnItsThread() {
    Recording recording = new Recording(-1);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        PipelinedSink sink = new PipelinedSink(recording, allocator)) {
      sink.begin(root);
      for (int batch = 0; batch < 5; batch++) {
        fill(root, batch * 10, 3 + batch);
        sink.write(root);
        assertThat(root.getRowCount()).isZero();
        assertThat(root.getVector("id").getValueCapacity()).as("the buffers were taken").isZero();
      }
      sink.finish();
    }
    List<String> expected = new ArrayList<>();
    for (int batch = 0; batch < 5; batch++) {
      for (int r = 0; r < 3 + batch; r++) {
        expected.add((batch * 10 + r) + (r % 2 == 0 ? ":n" + (batch * 10 + r) : ":null"));
      }
    }
    assertThat(recording.rows).containsExactlyElementsOf(expected);
    assertThat(recording.threads).hasSize(5).allMatch(name -> name.equals("fstore-training-set-writer"));
    assertThat(recording.finished).isTrue();
  }

  @Test
  void write_sinkFails_nextCallThrowsItAndAbortReachesTheSink() {
    Recording recording = new Recording(1);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        PipelinedSink sink = new PipelinedSink(recording, allocator)) {
      sink.begin(root);
      fill(root, 0, 2);
      sink.write(root);
      fill(root, 10, 2);
      sink.write(root); // fails behind the sink
      fill(root, 20, 2);
      assertThatThrownBy(() -> {
        sink.write(root);
        sink.finish();
      }).isInstanceOf(IllegalStateException.class).hasMessage("disk full");
      IllegalStateException cause = new IllegalStateException("join failed");
      sink.abort(cause);
      assertThat(recording.aborted).isSameAs(cause);
      assertThat(recording.finished).isFalse();
      root.clear();
    }
  }

  private static void fill(VectorSchemaRoot root, int first, int rows) {
    BigIntVector ids = (BigIntVector) root.getVector("id");
    VarCharVector names = (VarCharVector) root.getVector("name");
    ids.allocateNew(rows);
    names.allocateNew(rows);
    for (int r = 0; r < rows; r++) {
      ids.set(r, first + r);
      if (r % 2 == 0) {
        names.setSafe(r, ("n" + (first + r)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } else {
        names.setNull(r);
      }
    }
    root.setRowCount(rows);
  }

  /** A sink that records what it is given; write number {@code failAt} (0-based) throws. */
  private static final class Recording implements TrainingSetSink {
    final List<String> rows = new ArrayList<>();
    final List<String> threads = new ArrayList<>();
    final int failAt;
    int writes;
    boolean finished;
    RuntimeException aborted;

    Recording(int failAt) {
      this.failAt = failAt;
    }

    @Override
    public void begin(VectorSchemaRoot root) {}

    @Override
    public void write(VectorSchemaRoot batch) {
      threads.add(Thread.currentThread().getName());
      if (writes++ == failAt) {
        throw new IllegalStateException("disk full");
      }
      for (int r = 0; r < batch.getRowCount(); r++) {
        Object name = ArrowValues.get(batch.getVector("name"), r, ValueType.STRING);
        rows.add(ArrowValues.get(batch.getVector("id"), r, ValueType.INT64) + ":" + name);
      }
    }

    @Override
    public void finish() {
      finished = true;
    }

    @Override
    public void abort(RuntimeException cause) {
      aborted = cause;
    }
  }
}
