package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.types.Types;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Writes a training set's batches to a Parquet file: into a hidden file next to the target, moved into place by
 * {@link #finish}, so that a reader never sees a partial file and a failure leaves the old file (if any) alone.
 */
final class ParquetSink implements TrainingSetSink {
  /**
   * zstd at level 1 (Iceberg's writer without a table fell back to gzip, two thirds of the output time), on a
   * configuration without Hadoop's default resources, which would be parsed again for every file.
   */
  private static final Configuration CONF = new Configuration(false);

  static {
    CONF.setInt("parquet.compression.codec.zstd.level", 1);
  }

  private final Path target;
  private final Path temp;
  private ColumnarParquetWriter writer;

  ParquetSink(Path output) {
    this.target = output.toAbsolutePath();
    this.temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }

  @Override
  public void begin(VectorSchemaRoot root) {
    ValueType[] types = valueTypes(root);
    Schema schema = icebergSchema(root, types);
    try {
      Files.createDirectories(target.getParent());
      // the Parquet schema Iceberg's writer makes (field ids, 3-level lists, timestamps adjusted to UTC) and its
      // schema in the footer, so that readers see the file Iceberg would write
      writer = new ColumnarParquetWriter(new LocalOutputFile(temp), ParquetSchemaUtil.convert(schema, "table"), types,
          Map.of("iceberg.schema", SchemaParser.toJson(schema)), CompressionCodecName.ZSTD, CONF);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write '" + target + "': " + e.getMessage(), e);
    }
  }

  @Override
  public void write(VectorSchemaRoot batch) {
    try {
      writer.write(batch);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write '" + target + "': " + e.getMessage(), e);
    }
  }

  /** The value type of each column of the batches. */
  static ValueType[] valueTypes(VectorSchemaRoot root) {
    return root.getSchema().getFields().stream().map(ArrowValues::valueTypeOf).toArray(ValueType[]::new);
  }

  /** The Iceberg schema of the batches: every column optional, ids in column order. */
  static Schema icebergSchema(VectorSchemaRoot root, ValueType[] types) {
    List<Types.NestedField> fields = new ArrayList<>();
    int[] lastId = {0};
    List<Field> arrowFields = root.getSchema().getFields();
    for (int c = 0; c < types.length; c++) {
      int id = ++lastId[0];
      fields.add(Types.NestedField.optional(id, arrowFields.get(c).getName(),
          ViewSchemas.icebergType(types[c], lastId)));
    }
    return new Schema(fields);
  }

  /**
   * Appends the rows of a batch through {@code row} to an appender made with Iceberg's {@link InternalWriter} for
   * a schema whose columns are the batch's in order.
   */
  static void append(VectorSchemaRoot batch, ValueType[] types, Row row, FileAppender<StructLike> appender) {
    List<FieldVector> vectors = batch.getFieldVectors();
    for (int r = 0; r < batch.getRowCount(); r++) {
      // canonical values are Iceberg's internal ones (timestamps as micros): no conversion, one reused row
      for (int c = 0; c < types.length; c++) {
        row.values[c] = ArrowValues.get(vectors.get(c), r, types[c]);
      }
      appender.add(row);
    }
  }

  /** One output row for the appender, which copies the values out before the next {@code add}. */
  static final class Row implements StructLike {
    private final Object[] values;

    Row(int width) {
      this.values = new Object[width];
    }

    @Override
    public int size() {
      return values.length;
    }

    @Override
    public <T> T get(int pos, Class<T> javaClass) {
      return javaClass.cast(values[pos]);
    }

    @Override
    public <T> void set(int pos, T value) {
      values[pos] = value;
    }
  }

  @Override
  public void finish() {
    try {
      writer.close();
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteTemp();
      throw new UncheckedIOException("Cannot write '" + target + "': " + e.getMessage(), e);
    }
  }

  @Override
  public void abort(RuntimeException cause) {
    try {
      if (writer != null) {
        writer.close();
      }
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
    deleteTemp();
  }

  private void deleteTemp() {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // best effort: the temporary file is hidden and named uniquely
    }
  }
}
