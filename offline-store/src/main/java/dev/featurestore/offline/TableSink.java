package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.data.parquet.InternalWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;

/**
 * Saves a training set's rows as a new, unpartitioned Iceberg table: the table is created and its one data file
 * (written with Iceberg's Parquet writer) appended in one transaction at {@link #finish}, so the table appears with
 * all rows or not at all.
 */
final class TableSink implements TrainingSetSink {
  private final Catalog catalog;
  private final TableIdentifier id;
  private Transaction transaction;
  private OutputFile file;
  private Schema schema;
  private ValueType[] types;
  private FileAppender<StructLike> appender;
  private ParquetSink.Row row;
  private Long snapshotId;

  TableSink(Catalog catalog, TableIdentifier id) {
    this.catalog = catalog;
    this.id = id;
  }

  @Override
  public void begin(VectorSchemaRoot root) {
    types = ParquetSink.valueTypes(root);
    transaction = catalog.newCreateTableTransaction(id, ParquetSink.icebergSchema(root, types),
        PartitionSpec.unpartitioned(), Map.of(TableProperties.FORMAT_VERSION, "2"));
    Table table = transaction.table();
    schema = table.schema();
    row = new ParquetSink.Row(types.length);
    file = table.io().newOutputFile(table.locationProvider().newDataLocation(UUID.randomUUID() + ".parquet"));
    try {
      appender = Parquet.write(file)
          .schema(schema)
          .createWriterFunc(type -> InternalWriter.<StructLike>create(schema.asStruct(), type))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write table '" + id + "': " + e.getMessage(), e);
    }
  }

  @Override
  public void write(VectorSchemaRoot batch) {
    ParquetSink.append(batch, types, row, appender);
  }

  @Override
  public void finish() {
    try {
      appender.close();
    } catch (IOException e) {
      deleteFile();
      throw new UncheckedIOException("Cannot write table '" + id + "': " + e.getMessage(), e);
    }
    long records = appender.metrics().recordCount();
    if (records > 0) {
      DataFile dataFile = DataFiles.builder(PartitionSpec.unpartitioned())
          .withPath(file.location())
          .withFormat(FileFormat.PARQUET)
          .withFileSizeInBytes(appender.length())
          .withMetrics(appender.metrics())
          .build();
      transaction.newAppend().appendFile(dataFile).commit();
    } else {
      deleteFile();
    }
    transaction.commitTransaction();
    Snapshot snapshot = catalog.loadTable(id).currentSnapshot();
    snapshotId = snapshot == null ? null : snapshot.snapshotId();
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
    deleteFile();
  }

  /** The snapshot holding the rows after {@link #finish}; null when there were none. */
  Long snapshotId() {
    return snapshotId;
  }

  private void deleteFile() {
    if (file != null) {
      try {
        transaction.table().io().deleteFile(file.location());
      } catch (RuntimeException ignored) {
        // best effort: a file no snapshot references is harmless and removed by orphan-file cleanup
      }
    }
  }
}
