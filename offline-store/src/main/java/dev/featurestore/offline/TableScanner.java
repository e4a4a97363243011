package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.JoinKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.data.parquet.InternalReader;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.iceberg.parquet.Parquet;

/**
 * Reads the rows of a view's table at one snapshot whose event timestamp lies in a range, projecting only the
 * columns asked for, and tags each row with where it was written (data sequence number, position in file).
 */
final class TableScanner {
  private TableScanner() {}

  /** Receives one row of a scan; the arrays are the row's own. */
  @FunctionalInterface
  interface RowSink {
    void accept(Object[] keyValues, long eventMicros, long createdMicros, long sequence, long position,
        Object[] values);
  }

  /** Like {@link #scan(Table, long, List, List, long, long, long, RowSink)}, each row as a {@link StoredRow}. */
  static void scan(
      Table table,
      long snapshotId,
      List<JoinKey> keys,
      List<Feature> features,
      long fromMicros,
      long toMicros,
      long createdAtMostMicros,
      Consumer<StoredRow> sink) {
    scan(table, snapshotId, keys, features, fromMicros, toMicros, createdAtMostMicros,
        (keyValues, event, created, sequence, position, values) -> sink.accept(new StoredRow(
            new EntityKey(java.util.Arrays.asList(keyValues)), event, created, sequence, position, values)));
  }

  /**
   * Passes every row with {@code fromMicros <= event_timestamp <= toMicros} (and {@code created_timestamp <=
   * createdAtMostMicros}) to {@code sink}. Features the table has no column for yet are null.
   */
  static void scan(
      Table table,
      long snapshotId,
      List<JoinKey> keys,
      List<Feature> features,
      long fromMicros,
      long toMicros,
      long createdAtMostMicros,
      RowSink sink) {
    Schema tableSchema = schemaAt(table, snapshotId);
    List<String> names = ViewRowReader.columnNames(tableSchema, keys, List.of());
    int[] featureIndex = new int[features.size()];
    for (int i = 0; i < features.size(); i++) {
      String name = features.get(i).name();
      if (tableSchema.findField(name) == null) {
        featureIndex[i] = -1;
      } else {
        featureIndex[i] = names.size();
        names.add(name);
      }
    }
    Schema projection = tableSchema.select(names);
    // select() keeps table order: find each wanted column in the projection
    int[] keyAt = keys.stream().mapToInt(k -> positionOf(projection, k.name())).toArray();
    int eventAt = positionOf(projection, ViewSchemas.EVENT_TIMESTAMP);
    int createdAt = positionOf(projection, ViewSchemas.CREATED_TIMESTAMP);
    int[] featureAt = new int[features.size()];
    for (int i = 0; i < features.size(); i++) {
      featureAt[i] = featureIndex[i] < 0 ? -1 : positionOf(projection, features.get(i).name());
    }

    ValueType[] featureTypes = features.stream().map(Feature::type).toArray(ValueType[]::new);
    try {
      for (DataFile data : files(table, snapshotId, fromMicros, toMicros, createdAtMostMicros)) {
        long sequence = data.dataSequenceNumber() == null ? 0 : data.dataSequenceNumber();
        // read the whole file without a row filter, so that the iteration index is the row's position in the file
        // Iceberg's internal object model: timestamps as micros (no OffsetDateTime per value), strings as String
        InputFile file = plain(table.io().newInputFile(data.location(), data.fileSizeInBytes()));
        try (CloseableIterable<StructLike> records = Parquet.read(file)
            .project(projection)
            .<StructLike>createReaderFunc(fileSchema -> InternalReader.create(projection, fileSchema))
            .build()) {
          long position = 0;
          for (StructLike record : records) {
            long event = record.get(eventAt, Long.class);
            long created = record.get(createdAt, Long.class);
            if (event >= fromMicros && event <= toMicros && created <= createdAtMostMicros) {
              Object[] keyValues = new Object[keys.size()];
              for (int k = 0; k < keyValues.length; k++) {
                keyValues[k] = canonical(record.get(keyAt[k], Object.class), keys.get(k).type());
              }
              Object[] values = new Object[features.size()];
              for (int f = 0; f < values.length; f++) {
                values[f] = featureAt[f] < 0
                    ? null
                    : canonical(record.get(featureAt[f], Object.class), featureTypes[f]);
              }
              sink.accept(keyValues, event, created, sequence, position, values);
            }
            position++;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The table's schema as of the snapshot (the current one when the snapshot's is unknown). */
  static Schema schemaAt(Table table, long snapshotId) {
    Schema schema = table.schemas().get(table.snapshot(snapshotId).schemaId());
    return schema != null ? schema : table.schema();
  }

  /**
   * The data files of the snapshot that may hold rows with {@code fromMicros <= event_timestamp <= toMicros} (and
   * {@code created_timestamp <= createdAtMostMicros}): Iceberg prunes by partition and column statistics.
   */
  static List<DataFile> files(Table table, long snapshotId, long fromMicros, long toMicros,
      long createdAtMostMicros) {
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshotId)
        .filter(filter(fromMicros, toMicros, createdAtMostMicros)).planFiles()) {
      tasks.forEach(task -> files.add(task.file()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  private static Expression filter(long fromMicros, long toMicros, long createdAtMostMicros) {
    Expression filter = Expressions.and(
        Expressions.greaterThanOrEqual(ViewSchemas.EVENT_TIMESTAMP, fromMicros),
        Expressions.lessThanOrEqual(ViewSchemas.EVENT_TIMESTAMP, toMicros));
    if (createdAtMostMicros != Long.MAX_VALUE) {
      filter = Expressions.and(
          filter, Expressions.lessThanOrEqual(ViewSchemas.CREATED_TIMESTAMP, createdAtMostMicros));
    }
    return filter;
  }

  /**
   * A value of Iceberg's internal object model as a canonical value: already one for most types (the internal
   * model has timestamps as micros), so only those that may differ go through {@link ViewSchemas#fromIceberg}.
   */
  private static Object canonical(Object value, ValueType type) {
    return switch (type) {
      case BOOL, INT32, INT64, FLOAT, DOUBLE, STRING -> value;
      default -> ViewSchemas.fromIceberg(value, type);
    };
  }

  /**
   * The file as a plain Iceberg input file: for a Hadoop one, Iceberg's Parquet reader copies the Hadoop
   * configuration per file, which cost about a twentieth of a scan of many small files.
   */
  private static InputFile plain(InputFile file) {
    return new InputFile() {
      @Override
      public long getLength() {
        return file.getLength();
      }

      @Override
      public SeekableInputStream newStream() {
        // wrapped, so that Iceberg does not unwrap a Hadoop stream and leave its wrapper unclosed
        SeekableInputStream in = file.newStream();
        return new SeekableInputStream() {
          @Override
          public long getPos() throws IOException {
            return in.getPos();
          }

          @Override
          public void seek(long position) throws IOException {
            in.seek(position);
          }

          @Override
          public int read() throws IOException {
            return in.read();
          }

          @Override
          public int read(byte[] bytes, int offset, int length) throws IOException {
            return in.read(bytes, offset, length);
          }

          @Override
          public void close() throws IOException {
            in.close();
          }
        };
      }

      @Override
      public String location() {
        return file.location();
      }

      @Override
      public boolean exists() {
        return file.exists();
      }
    };
  }

  private static int positionOf(Schema projection, String name) {
    List<org.apache.iceberg.types.Types.NestedField> columns = projection.columns();
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("column '" + name + "' is not in projection " + projection);
  }
}
