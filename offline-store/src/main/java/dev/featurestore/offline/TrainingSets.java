package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureSelection;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/**
 * Builds a training set in memory: reads the entity file, indexes the needed rows of each selected view
 * ({@link PointInTimeIndex}), looks every entity row up and writes the entity columns plus the features to Parquet.
 */
final class TrainingSets {
  private static final int PROGRESS_EVERY = 10_000;

  private final ViewTables tables;

  TrainingSets(ViewTables tables) {
    this.tables = tables;
  }

  TrainingSetResult run(Definitions definitions, TrainingSetRequest request, ProgressListener progress) {
    long started = System.nanoTime();
    String action = "Cannot build training set from '" + request.entityFile().getFileName() + "'";
    FeatureSelection requested = request.featureService() == null
        ? definitions.select(request.features(), request.naming())
        : definitions.selectService(request.featureService(), request.naming());
    InputTable entities = InputTable.read(request.entityFile(), action);
    Set<String> entityColumns = new LinkedHashSet<>(entities.columns());
    FeatureSelection selection = requested.qualifyingNamesIn(entityColumns);
    for (String name : selection.outputNames()) {
      if (entityColumns.contains(name)) {
        throw new InvalidRequestException(
            action + ": feature column '" + name + "' would clash with the entity column of that name");
      }
    }
    int rowCount = entities.rows().size();
    progress.onProgress(0, rowCount);

    // typed entity columns: the timestamp and the join keys of every selected view
    int eventIndex = entities.indexOf(ViewSchemas.EVENT_TIMESTAMP);
    if (eventIndex < 0) {
      throw new InvalidRequestException(action + ": column '" + ViewSchemas.EVENT_TIMESTAMP + "' is missing");
    }
    InputColumn eventColumn = InputColumn.of(entities, eventIndex, ValueType.TIMESTAMP, action);
    long[] times = new long[rowCount];
    long minT = Long.MAX_VALUE;
    long maxT = Long.MIN_VALUE;
    for (int r = 0; r < rowCount; r++) {
      times[r] = (Long) eventColumn.required(r, "event timestamp");
      minT = Math.min(minT, times[r]);
      maxT = Math.max(maxT, times[r]);
    }
    Map<String, InputColumn> typedColumns = new LinkedHashMap<>();
    typedColumns.put(ViewSchemas.EVENT_TIMESTAMP, eventColumn);
    Map<String, EntityKey[]> keysByView = new HashMap<>();
    for (FeatureView view : selection.views()) {
      List<JoinKey> joinKeys = selection.joinKeys().get(view.name());
      InputColumn[] keyColumns = new InputColumn[joinKeys.size()];
      for (int k = 0; k < keyColumns.length; k++) {
        JoinKey key = joinKeys.get(k);
        int index = entities.indexOf(key.name());
        if (index < 0) {
          throw new InvalidRequestException(
              action + ": join key column '" + key.name() + "' (" + key.type() + ") of view '" + view.name()
                  + "' is missing");
        }
        keyColumns[k] = typedColumns.computeIfAbsent(
            key.name(), name -> InputColumn.of(entities, index, key.type(), action));
      }
      keysByView.put(view.name(), entityKeys(keyColumns, rowCount));
    }

    boolean asKnownAt = request.visibility() == TrainingSetRequest.Visibility.AS_KNOWN_AT;
    Map<String, Long> snapshotIds = new LinkedHashMap<>();
    Map<String, PointInTimeIndex> indexes = new HashMap<>();
    for (FeatureView view : selection.views()) {
      Optional<Table> table = tables.find(view.name());
      Snapshot snapshot = table.map(Table::currentSnapshot).orElse(null);
      if (snapshot == null || rowCount == 0) {
        continue;
      }
      snapshotIds.put(view.name(), snapshot.snapshotId());
      long ttl = view.ttlMicros();
      long from = ttl > 0 ? saturatedMinus(minT, ttl) : Long.MIN_VALUE;
      List<StoredRow> rows = new ArrayList<>();
      TableScanner.scan(
          table.get(), snapshot.snapshotId(), selection.joinKeys().get(view.name()), featuresOf(selection, view),
          from, maxT, asKnownAt ? maxT : Long.MAX_VALUE, rows::add);
      indexes.put(view.name(), PointInTimeIndex.of(rows));
    }

    Schema schema = outputSchema(entities, typedColumns, selection);
    List<Record> records = new ArrayList<>(rowCount);
    for (int r = 0; r < rowCount; r++) {
      Record record = GenericRecord.create(schema);
      int at = 0;
      for (int c = 0; c < entities.columns().size(); c++) {
        record.set(at++, entityValue(entities, typedColumns.get(entities.columns().get(c)), r, c));
      }
      for (FeatureView view : selection.views()) {
        PointInTimeIndex index = indexes.get(view.name());
        EntityKey key = keysByView.get(view.name())[r];
        StoredRow row = index == null || key == null ? null : index.lookup(key, times[r], view.ttlMicros(), asKnownAt);
        List<FeatureSelection.Column> columns = selection.columnsOf(view.name());
        for (int f = 0; f < columns.size(); f++) {
          Object value = row == null ? null : row.values()[f];
          record.setField(columns.get(f).outputName(), ViewSchemas.toIceberg(value, columns.get(f).feature().type()));
        }
      }
      records.add(record);
      if ((r + 1) % PROGRESS_EVERY == 0) {
        progress.onProgress(r + 1, rowCount);
      }
    }
    write(schema, records, request.output());
    progress.onProgress(rowCount, rowCount);
    return new TrainingSetResult(rowCount, request.output(), Ingestion.seconds(started), snapshotIds);
  }

  private static List<Feature> featuresOf(FeatureSelection selection, FeatureView view) {
    return selection.columnsOf(view.name()).stream().map(FeatureSelection.Column::feature).toList();
  }

  /** The key of each row, null where a key value is null (such a row matches nothing). */
  private static EntityKey[] entityKeys(InputColumn[] keyColumns, int rowCount) {
    EntityKey[] keys = new EntityKey[rowCount];
    rows:
    for (int r = 0; r < rowCount; r++) {
      Object[] values = new Object[keyColumns.length];
      for (int k = 0; k < values.length; k++) {
        values[k] = keyColumns[k].value(r);
        if (values[k] == null) {
          continue rows;
        }
      }
      keys[r] = new EntityKey(Arrays.asList(values));
    }
    return keys;
  }

  /**
   * Entity columns keep their type: a Parquet column its own, a CSV column the type of the join key or timestamp it
   * is, any other CSV column STRING. Then one optional column per feature.
   */
  private static Schema outputSchema(
      InputTable entities, Map<String, InputColumn> typedColumns, FeatureSelection selection) {
    int[] lastId = {0};
    TypeUtil.NextID nextId = () -> ++lastId[0];
    List<Types.NestedField> fields = new ArrayList<>();
    for (int c = 0; c < entities.columns().size(); c++) {
      String name = entities.columns().get(c);
      Type type;
      if (!entities.isCsv()) {
        type = entities.types().get(c);
      } else if (typedColumns.containsKey(name)) {
        type = ViewSchemas.icebergType(typedColumns.get(name).target(), lastId);
      } else {
        type = Types.StringType.get();
      }
      int id = nextId.get();
      fields.add(Types.NestedField.optional(id, name, TypeUtil.assignFreshIds(type, nextId)));
    }
    for (FeatureView view : selection.views()) {
      for (FeatureSelection.Column column : selection.columnsOf(view.name())) {
        int id = nextId.get();
        fields.add(Types.NestedField.optional(
            id, column.outputName(), ViewSchemas.icebergType(column.feature().type(), lastId)));
      }
    }
    return new Schema(fields);
  }

  private static Object entityValue(InputTable entities, InputColumn typed, int row, int column) {
    if (!entities.isCsv() || typed == null) {
      return entities.rows().get(row)[column];
    }
    return ViewSchemas.toIceberg(typed.value(row), typed.target());
  }

  /** Writes next to the target and moves into place, so that a reader never sees a partial file. */
  private static void write(Schema schema, List<Record> records, Path output) {
    Path target = output.toAbsolutePath();
    Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.createDirectories(target.getParent());
      FileAppender<Record> appender = Parquet.write(org.apache.iceberg.Files.localOutput(temp.toFile()))
          .schema(schema)
          .createWriterFunc(GenericParquetWriter::create)
          .overwrite()
          .build();
      try (appender) {
        appender.addAll(records);
      }
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // best effort: the temporary file is hidden and named uniquely
      }
    }
  }

  private static long saturatedMinus(long a, long b) {
    long result = a - b;
    return ((a ^ b) & (a ^ result)) < 0 ? Long.MIN_VALUE : result;
  }
}
