package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;

/**
 * Writes a training set's batches to a Parquet file: into a hidden file next to the target, moved into place by
 * {@link #finish}, so that a reader never sees a partial file and a failure leaves the old file (if any) alone.
 */
final class ParquetSink implements TrainingSetSink {
  private final Path target;
  private final Path temp;
  private Schema schema;
  private ValueType[] types;
  private FileAppender<Record> appender;

  ParquetSink(Path output) {
    this.target = output.toAbsolutePath();
    this.temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }

  @Override
  public void begin(VectorSchemaRoot root) {
    types = valueTypes(root);
    schema = icebergSchema(root, types);
    try {
      Files.createDirectories(target.getParent());
      appender = Parquet.write(org.apache.iceberg.Files.localOutput(temp.toFile()))
          .schema(schema)
          .createWriterFunc(GenericParquetWriter::create)
          .overwrite()
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write '" + target + "': " + e.getMessage(), e);
    }
  }

  @Override
  public void write(VectorSchemaRoot batch) {
    append(batch, types, schema, appender);
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

  /** Appends the rows of a batch as records of {@code schema}, whose columns are the batch's in order. */
  static void append(VectorSchemaRoot batch, ValueType[] types, Schema schema, FileAppender<Record> appender) {
    List<FieldVector> vectors = batch.getFieldVectors();
    Record template = GenericRecord.create(schema);
    for (int r = 0; r < batch.getRowCount(); r++) {
      Record record = template.copy();
      for (int c = 0; c < types.length; c++) {
        record.set(c, ViewSchemas.toIceberg(ArrowValues.get(vectors.get(c), r, types[c]), types[c]));
      }
      appender.add(record);
    }
  }

  @Override
  public void finish() {
    try {
      appender.close();
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteTemp();
      throw new UncheckedIOException("Cannot write '" + target + "': " + e.getMessage(), e);
    }
  }

  @Override
  public void abort(RuntimeException cause) {
    try {
      if (appender != null) {
        appender.close();
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
