package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.data.parquet.InternalWriter;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;

/**
 * Ingests one file, or a list of rows, into a view's table: validates every row first, then writes one Parquet data
 * file per day partition and commits them in one append. A failure before the commit leaves the table as it was.
 */
final class Ingestion {
  private static final String INGEST_ID = "featurestore.ingest-id";
  /** Snapshot summary property naming the idempotent append a snapshot holds (see {@link OfflineStore#append}). */
  static final String APPEND_ID = "fstore.append-id";

  private final ViewTables tables;

  Ingestion(ViewTables tables) {
    this.tables = tables;
  }

  IngestResult run(Definitions definitions, String viewName, Path file, ProgressListener progress) {
    long started = System.nanoTime();
    FeatureView view = definitions.requireView(viewName);
    List<JoinKey> keys = definitions.joinKeys(view);
    String action = "Cannot ingest '" + file.getFileName() + "' into view '" + view.name() + "'";
    InputTable input = InputTable.read(file, action);
    long total = input.rows().size();
    progress.onProgress(0, total);
    List<Object[]> rows = validate(input, keys, view, action);

    Table table = tables.prepare(definitions, view);
    if (rows.isEmpty()) {
      Snapshot current = table.currentSnapshot();
      return new IngestResult(0, current == null ? -1 : current.snapshotId(), seconds(started));
    }
    long snapshotId = write(table, keys, view, rows, Map.of());
    progress.onProgress(total, total);
    return new IngestResult(rows.size(), snapshotId, seconds(started));
  }

  /**
   * Appends rows in one commit tagged with {@code appendId}, unless a snapshot of the table already carries that
   * tag: then nothing is written and that snapshot is reported with 0 rows.
   */
  IngestResult append(Definitions definitions, String viewName, List<FeatureRow> featureRows, String appendId) {
    long started = System.nanoTime();
    FeatureView view = definitions.requireView(viewName);
    List<JoinKey> keys = definitions.joinKeys(view);
    List<Object[]> rows = new ArrayList<>(featureRows.size());
    for (int i = 0; i < featureRows.size(); i++) {
      rows.add(canonical(featureRows.get(i), i, keys, view));
    }
    Table table = tables.prepare(definitions, view);
    for (Snapshot snapshot : table.snapshots()) {
      if (appendId.equals(snapshot.summary().get(APPEND_ID))) {
        return new IngestResult(0, snapshot.snapshotId(), seconds(started));
      }
    }
    if (rows.isEmpty()) {
      Snapshot current = table.currentSnapshot();
      return new IngestResult(0, current == null ? -1 : current.snapshotId(), seconds(started));
    }
    long snapshotId = write(table, keys, view, rows, Map.of(APPEND_ID, appendId));
    return new IngestResult(rows.size(), snapshotId, seconds(started));
  }

  /** A row as canonical values in view order (keys, event, created, features), checked against the view. */
  private static Object[] canonical(FeatureRow row, int index, List<JoinKey> keys, FeatureView view) {
    String action = "Cannot append row " + index + " to view '" + view.name() + "'";
    List<Object> keyValues = row.key().values();
    if (keyValues.size() != keys.size()) {
      throw new InvalidRequestException(action + ": key " + keyValues + " has " + keyValues.size()
          + " values but the view has " + keys.size() + " join keys");
    }
    if (row.eventTimestampMicros() <= 0) {
      throw new InvalidRequestException(
          action + ": event timestamp " + row.eventTimestampMicros() + " is not positive UTC microseconds");
    }
    for (String name : row.values().keySet()) {
      if (view.feature(name).isEmpty()) {
        throw new InvalidRequestException(action + ": '" + name + "' is not a feature of the view");
      }
    }
    Object[] values = new Object[keys.size() + 2 + view.features().size()];
    try {
      for (int k = 0; k < keys.size(); k++) {
        values[k] = keys.get(k).type().coerce(keyValues.get(k), keys.get(k).name());
      }
      values[keys.size()] = row.eventTimestampMicros();
      values[keys.size() + 1] = row.createdTimestampMicros();
      for (int f = 0; f < view.features().size(); f++) {
        Feature feature = view.features().get(f);
        Object value = row.value(feature.name());
        values[keys.size() + 2 + f] = value == null ? null : feature.type().coerce(value, feature.name());
      }
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException(action + ": " + e.getMessage(), e);
    }
    return values;
  }

  /** Every row as canonical values in view order: keys, event, created, features. */
  private static List<Object[]> validate(InputTable input, List<JoinKey> keys, FeatureView view, String action) {
    Map<String, ValueType> expected = new LinkedHashMap<>();
    keys.forEach(key -> expected.put(key.name(), key.type()));
    expected.put(ViewSchemas.EVENT_TIMESTAMP, ValueType.TIMESTAMP);
    expected.put(ViewSchemas.CREATED_TIMESTAMP, ValueType.TIMESTAMP);
    view.features().forEach(feature -> expected.put(feature.name(), feature.type()));
    for (String column : input.columns()) {
      if (!expected.containsKey(column)) {
        throw new InvalidRequestException(
            action + ": column '" + column + "' is not a join key, timestamp or feature of the view");
      }
    }
    for (JoinKey key : keys) {
      if (input.indexOf(key.name()) < 0) {
        throw new InvalidRequestException(
            action + ": join key column '" + key.name() + "' (" + key.type() + ") is missing");
      }
    }
    if (input.indexOf(ViewSchemas.EVENT_TIMESTAMP) < 0) {
      throw new InvalidRequestException(action + ": column '" + ViewSchemas.EVENT_TIMESTAMP + "' is missing");
    }
    // columns in view order; null where the file lacks an optional column
    List<String> names = new ArrayList<>(expected.keySet());
    InputColumn[] columns = new InputColumn[names.size()];
    for (int i = 0; i < columns.length; i++) {
      int index = input.indexOf(names.get(i));
      columns[i] = index < 0 ? null : InputColumn.of(input, index, expected.get(names.get(i)), action);
    }
    int eventAt = keys.size();
    int createdAt = keys.size() + 1;
    long ingestedAt = Micros.now();
    List<Object[]> rows = new ArrayList<>(input.rows().size());
    for (int r = 0; r < input.rows().size(); r++) {
      Object[] row = new Object[columns.length];
      for (int c = 0; c < columns.length; c++) {
        if (c < eventAt) {
          row[c] = columns[c].required(r, "join key");
        } else if (c == eventAt) {
          row[c] = columns[c].required(r, "event timestamp");
        } else if (c == createdAt) {
          Object created = columns[c] == null ? null : columns[c].value(r);
          row[c] = created == null ? ingestedAt : created;
        } else {
          row[c] = columns[c] == null ? null : columns[c].value(r);
        }
      }
      rows.add(row);
    }
    return rows;
  }

  private static long write(
      Table table, List<JoinKey> keys, FeatureView view, List<Object[]> rows, Map<String, String> summary) {
    Schema schema = table.schema();
    PartitionSpec spec = table.spec();
    List<String> names = new ArrayList<>();
    keys.forEach(key -> names.add(key.name()));
    names.add(ViewSchemas.EVENT_TIMESTAMP);
    names.add(ViewSchemas.CREATED_TIMESTAMP);
    for (Feature feature : view.features()) {
      names.add(feature.name());
    }
    // per table column, the row's value at that position; -1 for a column the view no longer has (it stays null)
    int[] fromRow = new int[schema.columns().size()];
    Arrays.fill(fromRow, -1);
    for (int c = 0; c < names.size(); c++) {
      fromRow[position(schema, names.get(c))] = c;
    }

    // canonical values are Iceberg's internal ones (timestamps as micros): partitioned and written as they are,
    // where Iceberg's generic records made and read back an OffsetDateTime per timestamp
    Map<PartitionKey, List<Object[]>> byPartition = new LinkedHashMap<>();
    PartitionKey partitionKey = new PartitionKey(spec, schema);
    TableRow row = new TableRow(fromRow);
    for (Object[] values : rows) {
      partitionKey.partition(row.of(values));
      byPartition.computeIfAbsent(partitionKey.copy(), key -> new ArrayList<>()).add(values);
    }

    List<DataFile> written = new ArrayList<>();
    String ingestId = UUID.randomUUID().toString();
    try {
      for (Map.Entry<PartitionKey, List<Object[]>> partition : byPartition.entrySet()) {
        written.add(writeFile(table, spec, partition.getKey(), partition.getValue(), row, ingestId, written.size()));
      }
      AppendFiles append = table.newAppend();
      written.forEach(append::appendFile);
      append.set(INGEST_ID, ingestId);
      summary.forEach(append::set);
      append.commit();
    } catch (RuntimeException e) {
      // nothing committed: do not leave orphan files behind
      for (DataFile file : written) {
        try {
          table.io().deleteFile(file.location());
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    table.refresh();
    for (Snapshot snapshot : table.snapshots()) {
      if (ingestId.equals(snapshot.summary().get(INGEST_ID))) {
        return snapshot.snapshotId();
      }
    }
    throw new IllegalStateException("committed snapshot of ingestion " + ingestId + " is not in the table");
  }

  private static DataFile writeFile(Table table, PartitionSpec spec, PartitionKey partition, List<Object[]> rows,
      TableRow row, String ingestId, int n) {
    String fileName = "ingest-" + ingestId + "-" + n + ".parquet";
    OutputFile out = table.io().newOutputFile(table.locationProvider().newDataLocation(spec, partition, fileName));
    Schema schema = table.schema();
    try {
      DataWriter<StructLike> writer = Parquet.writeData(out)
          .forTable(table)
          .withSpec(spec)
          .withPartition(partition)
          .createWriterFunc(type -> InternalWriter.<StructLike>create(schema.asStruct(), type))
          .overwrite()
          .build();
      try (writer) {
        for (Object[] values : rows) {
          writer.write(row.of(values));
        }
      }
      return writer.toDataFile();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A row of canonical values in view order seen as a row of the table's columns, for Iceberg's internal writer
   * and partitioning; one instance re-pointed at each row ({@link #of}), read before the next.
   */
  private static final class TableRow implements StructLike {
    private final int[] fromRow;
    private Object[] values;

    TableRow(int[] fromRow) {
      this.fromRow = fromRow;
    }

    TableRow of(Object[] rowValues) {
      this.values = rowValues;
      return this;
    }

    @Override
    public int size() {
      return fromRow.length;
    }

    @Override
    public <T> T get(int pos, Class<T> javaClass) {
      int at = fromRow[pos];
      return javaClass.cast(at < 0 ? null : ownView(values[at]));
    }

    /** A bytes value (or list of them) as buffers of the writer's own, so that reading them moves nothing here. */
    private static Object ownView(Object value) {
      if (value instanceof ByteBuffer bytes) {
        return bytes.duplicate();
      }
      if (value instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof ByteBuffer) {
        List<Object> views = new ArrayList<>(list.size());
        list.forEach(item -> views.add(ownView(item)));
        return views;
      }
      return value;
    }

    @Override
    public <T> void set(int pos, T value) {
      throw new UnsupportedOperationException("Cannot set a value of a row being ingested");
    }
  }

  private static int position(Schema schema, String name) {
    List<Types.NestedField> columns = schema.columns();
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("table has no column '" + name + "'");
  }

  static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
