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
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
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
    List<ValueType> types = new ArrayList<>();
    List<String> names = new ArrayList<>();
    keys.forEach(key -> {
      names.add(key.name());
      types.add(key.type());
    });
    names.add(ViewSchemas.EVENT_TIMESTAMP);
    types.add(ValueType.TIMESTAMP);
    names.add(ViewSchemas.CREATED_TIMESTAMP);
    types.add(ValueType.TIMESTAMP);
    for (Feature feature : view.features()) {
      names.add(feature.name());
      types.add(feature.type());
    }
    int[] positions = names.stream().mapToInt(name -> position(schema, name)).toArray();

    Map<PartitionKey, List<Record>> byPartition = new LinkedHashMap<>();
    PartitionKey partitionKey = new PartitionKey(spec, schema);
    InternalRecordWrapper wrapper = new InternalRecordWrapper(schema.asStruct());
    for (Object[] row : rows) {
      // columns the table has but the view no longer does stay null
      Record record = GenericRecord.create(schema);
      for (int c = 0; c < row.length; c++) {
        record.set(positions[c], ViewSchemas.toIceberg(row[c], types.get(c)));
      }
      partitionKey.partition(wrapper.wrap(record));
      byPartition.computeIfAbsent(partitionKey.copy(), key -> new ArrayList<>()).add(record);
    }

    List<DataFile> written = new ArrayList<>();
    String ingestId = UUID.randomUUID().toString();
    try {
      for (Map.Entry<PartitionKey, List<Record>> partition : byPartition.entrySet()) {
        written.add(writeFile(table, spec, partition.getKey(), partition.getValue(), ingestId, written.size()));
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

  private static DataFile writeFile(
      Table table, PartitionSpec spec, PartitionKey partition, List<Record> records, String ingestId, int n) {
    String fileName = "ingest-" + ingestId + "-" + n + ".parquet";
    OutputFile out = table.io().newOutputFile(table.locationProvider().newDataLocation(spec, partition, fileName));
    try {
      DataWriter<Record> writer = Parquet.writeData(out)
          .forTable(table)
          .withSpec(spec)
          .withPartition(partition)
          .createWriterFunc(GenericParquetWriter::create)
          .overwrite()
          .build();
      try (writer) {
        for (Record record : records) {
          writer.write(record);
        }
      }
      return writer.toDataFile();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
