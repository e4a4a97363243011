package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Passes every batch on to other sinks and computes the content hash of {@link TrainingSetManifest} over the rows
 * on the way (the canonical encoding of {@link ValueCodec#writeValues}).
 *
 * <p>The hash of a batch is computed on a thread of its own while the sinks write the same batch (both only read
 * it), and {@link #write} returns when both are done: hashing and Parquet encoding were the two longest steps of
 * the output, and one thread did them one after the other (10M rows: 4 of the output's 25 s were the hash).
 */
final class HashingSink implements TrainingSetSink {
  private final List<TrainingSetSink> sinks;
  private final MessageDigest digest;
  private final DigestBuffer buffer;
  /** Over {@link #buffer}, for values encoded by {@link ValueCodec#writeValues}; it buffers nothing itself. */
  private final DataOutputStream out;
  private ValueType[] types;
  private long rows;
  /** At most one batch's hash at a time; its thread ends when idle, so a sink never finished leaves none behind. */
  private final ThreadPoolExecutor hasher = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), task -> {
        Thread thread = new Thread(task, "fstore-training-set-hash");
        thread.setDaemon(true);
        return thread;
      });

  HashingSink(List<TrainingSetSink> sinks) {
    this.sinks = List.copyOf(sinks);
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    this.buffer = new DigestBuffer(digest);
    this.out = new DataOutputStream(buffer);
  }

  @Override
  public void begin(VectorSchemaRoot root) {
    List<Field> fields = root.getSchema().getFields();
    types = new ValueType[fields.size()];
    for (int c = 0; c < types.length; c++) {
      types[c] = ArrowValues.valueTypeOf(fields.get(c));
    }
    sinks.forEach(sink -> sink.begin(root));
  }

  @Override
  public void write(VectorSchemaRoot batch) {
    Future<?> hashed = hasher.submit(() -> hashRows(batch));
    try {
      sinks.forEach(sink -> sink.write(batch));
    } catch (RuntimeException e) {
      // the caller reuses the batch once this returns: the hash must be done with it first (a cancelled future
      // would not wait for a hash that is running)
      awaitQuietly(hashed);
      throw e;
    }
    try {
      hashed.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      awaitQuietly(hashed);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Cannot hash training set: interrupted", e);
    }
    rows += batch.getRowCount();
  }

  private void hashRows(VectorSchemaRoot batch) {
    FieldVector[] vectors = batch.getFieldVectors().toArray(FieldVector[]::new);
    try {
      for (int r = 0; r < batch.getRowCount(); r++) {
        for (int c = 0; c < types.length; c++) {
          hash(vectors[c], r, types[c]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until a hash whose result no longer matters has ended, without throwing; keeps an interrupt. */
  private static void awaitQuietly(Future<?> hashed) {
    boolean interrupted = false;
    while (true) {
      try {
        hashed.get();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        break;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void finish() {
    hasher.shutdown();
    sinks.forEach(TrainingSetSink::finish);
  }

  @Override
  public void abort(RuntimeException cause) {
    hasher.shutdown();
    for (TrainingSetSink sink : sinks) {
      try {
        sink.abort(cause);
      } catch (RuntimeException e) {
        cause.addSuppressed(e);
      }
    }
  }

  /**
   * One value as {@link ValueCodec#writeValues} encodes it (presence byte, then the value), scalars read straight
   * from the vector; the unit test checks the two agree.
   */
  private void hash(FieldVector vector, int row, ValueType type) throws IOException {
    boolean direct = switch (type) {
      case BOOL, INT32, INT64, FLOAT, DOUBLE, STRING, BYTES -> true;
      case TIMESTAMP -> vector instanceof TimeStampMicroTZVector;
      default -> false;
    };
    if (!direct) {
      ValueCodec.writeValues(out, new Object[] {ArrowValues.get(vector, row, type)}, new ValueType[] {type});
      return;
    }
    if (vector.isNull(row)) {
      buffer.writeByte(0);
      return;
    }
    buffer.writeByte(1);
    switch (type) {
      case BOOL -> buffer.writeByte(((BitVector) vector).get(row) != 0 ? 1 : 0);
      case INT32 -> buffer.writeInt(((IntVector) vector).get(row));
      case INT64 -> buffer.writeLong(((BigIntVector) vector).get(row));
      case TIMESTAMP -> buffer.writeLong(((TimeStampMicroTZVector) vector).get(row));
      case FLOAT -> buffer.writeInt(Float.floatToIntBits(((Float4Vector) vector).get(row)));
      case DOUBLE -> buffer.writeLong(Double.doubleToLongBits(((Float8Vector) vector).get(row)));
      default -> {
        byte[] bytes = vector instanceof VarCharVector chars ? chars.get(row) : ((VarBinaryVector) vector).get(row);
        buffer.writeInt(bytes.length);
        buffer.write(bytes, 0, bytes.length);
      }
    }
  }

  /**
   * A buffer in front of the digest that takes no lock (BufferedOutputStream synchronizes every write, which is two
   * writes per value here), with big-endian writes of its own: DataOutputStream's encoding, without its copy
   * through a scratch array per value.
   */
  private static final class DigestBuffer extends OutputStream {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private final MessageDigest digest;
    private final byte[] buffer = new byte[1 << 16];
    private int size;

    DigestBuffer(MessageDigest digest) {
      this.digest = digest;
    }

    void writeByte(int b) {
      write(b);
    }

    void writeInt(int value) {
      if (buffer.length - size < 4) {
        flush();
      }
      INT.set(buffer, size, value);
      size += 4;
    }

    void writeLong(long value) {
      if (buffer.length - size < 8) {
        flush();
      }
      LONG.set(buffer, size, value);
      size += 8;
    }

    @Override
    public void write(int b) {
      if (size == buffer.length) {
        flush();
      }
      buffer[size++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      if (length > buffer.length - size) {
        flush();
        if (length > buffer.length) {
          digest.update(bytes, offset, length);
          return;
        }
      }
      System.arraycopy(bytes, offset, buffer, size, length);
      size += length;
    }

    @Override
    public void flush() {
      digest.update(buffer, 0, size);
      size = 0;
    }
  }

  long rows() {
    return rows;
  }

  /** {@code sha256:<hex>} of the rows written so far; call after the last batch. */
  String contentHash() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "sha256:" + HexFormat.of().formatHex(digest.digest());
  }
}
