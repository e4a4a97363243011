package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * Writes Arrow batches to a Parquet file a column at a time, straight into Parquet's column writers. Why not
 * {@code ParquetWriter}: it takes a record at a time through a record consumer (start and end of every message
 * and field, the fields left null found again per record), which was more than half of writing a training set;
 * here each column of a batch is one tight loop over its vector.
 *
 * <p>What it writes is what {@code ParquetWriter} wrote with the same properties: row groups of at most {@link
 * #ROW_GROUP_BYTES} buffered, pages and dictionaries of Parquet's default sizes, statistics and column indexes. The
 * schema must have one leaf per top-level field: optional scalars, or Iceberg's three-level lists of required
 * elements ({@code optional group (LIST) { repeated group list { required element } }}), in the batches' column
 * order. Not thread-safe.
 */
final class ColumnarParquetWriter implements Closeable {
  /** ParquetWriter's default row group size. */
  static final long ROW_GROUP_BYTES = 128L * 1024 * 1024;
  /**
   * Rows per slice: each column of a slice is written, then the slice's rows are ended, so that the column
   * writers' page size checks (made as rows end) see pages near their size, as with a row at a time.
   */
  private static final int SLICE_ROWS = 4096;

  private final ValueType[] types;
  private final Map<String, String> metadata;
  private final ParquetProperties properties;
  private final CodecFactory codecs;
  private final BytesInputCompressor compressor;
  private final ParquetFileWriter file;
  private final MessageType schema;
  private final ColumnDescriptor[] leaves;
  private ColumnChunkPageWriteStore pages;
  private ColumnWriteStore columns;
  private ColumnWriter[] writers;
  private long rowsInGroup;
  /** The row groups written so far: the ordinal of the next one. */
  private int rowGroups;
  /** A string or bytes value copied out of its vector; Parquet copies what it keeps of a reused binary. */
  private byte[] scratch = new byte[64];

  /**
   * Starts {@code output} ({@code schema}'s columns of {@code types}, in order), compressed with {@code codec}
   * configured by {@code conf}; {@code metadata} goes into the footer.
   */
  ColumnarParquetWriter(OutputFile output, MessageType schema, ValueType[] types, Map<String, String> metadata,
      CompressionCodecName codec, Configuration conf) throws IOException {
    List<ColumnDescriptor> all = schema.getColumns();
    if (all.size() != types.length || schema.getFieldCount() != types.length) {
      throw new IllegalArgumentException("Cannot write Parquet: the schema has " + all.size() + " leaves for "
          + types.length + " columns");
    }
    this.schema = schema;
    this.types = types.clone();
    this.metadata = Map.copyOf(metadata);
    this.leaves = all.toArray(ColumnDescriptor[]::new);
    this.properties = ParquetProperties.builder().build();
    this.codecs = new CodecFactory(conf, properties.getPageSizeThreshold());
    this.compressor = codecs.getCompressor(codec);
    this.file = new ParquetFileWriter(output, schema, ParquetFileWriter.Mode.OVERWRITE, ROW_GROUP_BYTES, 0, null,
        properties);
    file.start();
    startRowGroup();
  }

  /** Appends the rows of {@code batch}, whose vectors are the schema's columns in order. */
  void write(VectorSchemaRoot batch) throws IOException {
    List<FieldVector> vectors = batch.getFieldVectors();
    int rows = batch.getRowCount();
    for (int from = 0; from < rows; from += SLICE_ROWS) {
      int to = Math.min(rows, from + SLICE_ROWS);
      for (int c = 0; c < types.length; c++) {
        if (types[c].isList()) {
          writeLists((ListVector) vectors.get(c), from, to, writers[c], types[c].elementType());
        } else {
          writeScalars(vectors.get(c), from, to, writers[c], types[c]);
        }
      }
      for (int r = from; r < to; r++) {
        columns.endRecord();
      }
      rowsInGroup += to - from;
      if (columns.getBufferedSize() >= ROW_GROUP_BYTES) {
        flushRowGroup();
        startRowGroup();
      }
    }
  }

  /** Writes the last row group and the footer; the file is complete once this returns. */
  @Override
  public void close() throws IOException {
    try {
      // a file without rows has no row group (Parquet refuses an empty one), only its schema
      if (rowsInGroup > 0) {
        flushRowGroup();
      }
      columns.close();
      file.end(metadata);
    } finally {
      codecs.release();
    }
  }

  private void startRowGroup() {
    pages = new ColumnChunkPageWriteStore(compressor, schema, properties.getAllocator(),
        properties.getColumnIndexTruncateLength(), properties.getPageWriteChecksumEnabled(), null, rowGroups);
    columns = properties.newColumnWriteStore(schema, pages, pages);
    writers = new ColumnWriter[leaves.length];
    for (int c = 0; c < leaves.length; c++) {
      writers[c] = columns.getColumnWriter(leaves[c]);
    }
  }

  private void flushRowGroup() throws IOException {
    columns.flush();
    file.startBlock(rowsInGroup);
    pages.flushToFileWriter(file);
    file.endBlock();
    pages.close();
    rowsInGroup = 0;
    rowGroups++;
  }

  /** An optional scalar column: definition level 1 for a value, 0 for null. */
  private void writeScalars(FieldVector vector, int from, int to, ColumnWriter writer, ValueType type) {
    switch (type) {
      case BOOL -> {
        BitVector bits = (BitVector) vector;
        for (int r = from; r < to; r++) {
          if (bits.isNull(r)) {
            writer.writeNull(0, 0);
          } else {
            writer.write(bits.get(r) != 0, 0, 1);
          }
        }
      }
      case INT32 -> {
        IntVector ints = (IntVector) vector;
        for (int r = from; r < to; r++) {
          if (ints.isNull(r)) {
            writer.writeNull(0, 0);
          } else {
            writer.write(ints.get(r), 0, 1);
          }
        }
      }
      case INT64 -> {
        BigIntVector longs = (BigIntVector) vector;
        for (int r = from; r < to; r++) {
          if (longs.isNull(r)) {
            writer.writeNull(0, 0);
          } else {
            writer.write(longs.get(r), 0, 1);
          }
        }
      }
      case FLOAT -> {
        Float4Vector floats = (Float4Vector) vector;
        for (int r = from; r < to; r++) {
          if (floats.isNull(r)) {
            writer.writeNull(0, 0);
          } else {
            writer.write(floats.get(r), 0, 1);
          }
        }
      }
      case DOUBLE -> {
        Float8Vector doubles = (Float8Vector) vector;
        for (int r = from; r < to; r++) {
          if (doubles.isNull(r)) {
            writer.writeNull(0, 0);
          } else {
            writer.write(doubles.get(r), 0, 1);
          }
        }
      }
      case STRING, BYTES -> {
        BaseVariableWidthVector binaries = (BaseVariableWidthVector) vector;
        for (int r = from; r < to; r++) {
          if (binaries.isNull(r)) {
            writer.writeNull(0, 0);
          } else {
            writer.write(binary(binaries, r), 0, 1);
          }
        }
      }
      case TIMESTAMP -> {
        for (int r = from; r < to; r++) {
          if (vector.isNull(r)) {
            writer.writeNull(0, 0);
          } else {
            writer.write(micros(vector, r), 0, 1);
          }
        }
      }
      default -> throw new IllegalArgumentException("Cannot write Parquet: " + type + " is not a scalar type");
    }
  }

  /**
   * A list column: a null list is definition level 0, an empty one 1, and each element (required) level 2, its
   * repetition level 0 for a list's first element and 1 for the others.
   */
  private void writeLists(ListVector lists, int from, int to, ColumnWriter writer, ValueType element) {
    FieldVector data = lists.getDataVector();
    for (int r = from; r < to; r++) {
      if (lists.isNull(r)) {
        writer.writeNull(0, 0);
        continue;
      }
      int start = lists.getElementStartIndex(r);
      int end = lists.getElementEndIndex(r);
      if (start == end) {
        writer.writeNull(0, 1);
        continue;
      }
      for (int i = start; i < end; i++) {
        int repetition = i == start ? 0 : 1;
        if (data.isNull(i)) {
          throw new IllegalArgumentException("Cannot write Parquet: column '" + lists.getName()
              + "' has a null list element at row " + r + "; list elements are required");
        }
        switch (element) {
          case BOOL -> writer.write(((BitVector) data).get(i) != 0, repetition, 2);
          case INT32 -> writer.write(((IntVector) data).get(i), repetition, 2);
          case INT64 -> writer.write(((BigIntVector) data).get(i), repetition, 2);
          case FLOAT -> writer.write(((Float4Vector) data).get(i), repetition, 2);
          case DOUBLE -> writer.write(((Float8Vector) data).get(i), repetition, 2);
          case STRING, BYTES -> writer.write(binary((BaseVariableWidthVector) data, i), repetition, 2);
          case TIMESTAMP -> writer.write(micros(data, i), repetition, 2);
          default -> throw new IllegalArgumentException("Cannot write Parquet: " + element + " is not a scalar type");
        }
      }
    }
  }

  /** Value {@code r} of a string or bytes vector, copied into {@link #scratch} (no array per value). */
  private Binary binary(BaseVariableWidthVector vector, int r) {
    ArrowBuf offsets = vector.getOffsetBuffer();
    int start = offsets.getInt((long) r * BaseVariableWidthVector.OFFSET_WIDTH);
    int length = offsets.getInt((long) (r + 1) * BaseVariableWidthVector.OFFSET_WIDTH) - start;
    if (length > scratch.length) {
      scratch = new byte[Math.max(length, 2 * scratch.length)];
    }
    vector.getDataBuffer().getBytes(start, scratch, 0, length);
    return Binary.fromReusedByteArray(scratch, 0, length);
  }

  /** A timestamp as microseconds: the join's own vectors directly, any other unit converted. */
  private static long micros(FieldVector vector, int r) {
    return vector instanceof TimeStampMicroTZVector micros
        ? micros.get(r) : (Long) ArrowValues.get(vector, r, ValueType.TIMESTAMP);
  }
}
