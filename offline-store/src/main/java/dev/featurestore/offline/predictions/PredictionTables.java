package dev.featurestore.offline.predictions;

import dev.featurestore.api.ValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.PartitionedFanoutWriter;
import org.apache.iceberg.io.WriteResult;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;

/**
 * The prediction log tables of one catalog ({@code predictions.<model>}): creation on first use, schema evolution
 * for new columns, and one append commit per call.
 */
final class PredictionTables {
  static final Namespace NAMESPACE = Namespace.of("predictions");
  private static final long TARGET_FILE_BYTES = 128L << 20;

  private final Catalog catalog;
  private long commitSequence;

  PredictionTables(Catalog catalog) {
    this.catalog = catalog;
  }

  /** What one append did: rows committed, and the batches refused with why. */
  record AppendResult(long rows, List<Refusal> refused) {}

  /** A batch not written, and why. */
  record Refusal(PreparedBatch batch, String reason) {}

  /**
   * Appends the batches of one model in one commit. A batch naming an existing column (of the table, or one added
   * by an earlier batch of the same call) with another type is refused, not written, and reported; the others are.
   *
   * @throws RuntimeException when the storage fails: nothing of the call is committed
   */
  AppendResult append(String model, List<PreparedBatch> batches) {
    TableIdentifier id = TableIdentifier.of(NAMESPACE, model);
    Table table = load(id).orElseGet(() -> create(id, batches.get(0)));
    Schema schema = table.schema();
    Map<String, ValueType> added = new LinkedHashMap<>();
    List<Refusal> refused = new ArrayList<>();
    List<PreparedBatch> accepted = new ArrayList<>();
    for (PreparedBatch batch : batches) {
      String conflict = null;
      Map<String, ValueType> adds = new LinkedHashMap<>();
      for (int c = 0; c < batch.names().size() && conflict == null; c++) {
        String name = batch.names().get(c);
        ValueType type = batch.types().get(c);
        Types.NestedField field = schema.findField(name);
        ValueType earlier = added.get(name);
        if (field != null && !LogSchema.sameType(field.type(), type)) {
          conflict = "column '" + name + "' is " + type + " in the batch but " + field.type() + " in table "
              + id;
        } else if (earlier != null && earlier != type) {
          conflict = "column '" + name + "' is " + type + " in the batch but " + earlier
              + " in an earlier batch of the same commit";
        } else if (field == null && earlier == null) {
          adds.put(name, type);
        }
      }
      if (conflict != null) {
        refused.add(new Refusal(batch, conflict));
      } else {
        added.putAll(adds);
        accepted.add(batch);
      }
    }
    if (!added.isEmpty()) {
      UpdateSchema update = table.updateSchema();
      added.forEach((name, type) -> {
        update.addColumn(name, LogSchema.icebergType(type, new int[] {0}));
        update.moveBefore(name, LogSchema.SCORE);
      });
      update.commit();
      table.refresh();
    }
    long rows = accepted.stream().mapToLong(batch -> batch.values().size()).sum();
    if (rows > 0) {
      write(table, accepted);
    }
    return new AppendResult(rows, refused);
  }

  private Optional<Table> load(TableIdentifier id) {
    try {
      return Optional.of(catalog.loadTable(id));
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }

  private Table create(TableIdentifier id, PreparedBatch first) {
    Schema schema = LogSchema.initial(first.names(), first.types());
    PartitionSpec spec = PartitionSpec.builderFor(schema).day(LogSchema.PREDICTION_TIMESTAMP).build();
    try {
      return catalog.createTable(id, schema, spec, Map.of(
          TableProperties.FORMAT_VERSION, "2",
          // a log commits often: keep the metadata directory from growing with every commit
          TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
          TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "20"));
    } catch (AlreadyExistsException e) {
      return catalog.loadTable(id);
    }
  }

  private void write(Table table, List<PreparedBatch> batches) {
    Schema schema = table.schema();
    PartitionSpec spec = table.spec();
    PartitionKey partitionKey = new PartitionKey(spec, schema);
    InternalRecordWrapper wrapper = new InternalRecordWrapper(schema.asStruct());
    OutputFileFactory files = OutputFileFactory.builderFor(table, 1, ++commitSequence)
        .format(FileFormat.PARQUET)
        .operationId(UUID.randomUUID().toString())
        .build();
    PartitionedFanoutWriter<Record> writer = new PartitionedFanoutWriter<>(
        spec, FileFormat.PARQUET, new GenericAppenderFactory(schema, spec), files, table.io(), TARGET_FILE_BYTES) {
      @Override
      protected PartitionKey partition(Record record) {
        partitionKey.partition(wrapper.wrap(record));
        return partitionKey;
      }
    };
    WriteResult result;
    try {
      try {
        forEachRecord(schema, batches, record -> {
          try {
            writer.write(record);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
        result = writer.complete();
      } catch (IOException | RuntimeException e) {
        writer.abort();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AppendFiles append = table.newAppend();
    for (DataFile file : result.dataFiles()) {
      append.appendFile(file);
    }
    try {
      append.commit();
    } catch (RuntimeException e) {
      // nothing committed: do not leave orphan files behind
      for (DataFile file : result.dataFiles()) {
        try {
          table.io().deleteFile(file.location());
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** Passes each row of the batches as a record of {@code schema}. */
  private static void forEachRecord(Schema schema, List<PreparedBatch> batches, Consumer<Record> sink) {
    Map<String, Integer> positions = new HashMap<>();
    List<Types.NestedField> columns = schema.columns();
    for (int i = 0; i < columns.size(); i++) {
      positions.put(columns.get(i).name(), i);
    }
    int requestId = positions.get(LogSchema.REQUEST_ID);
    int rowIndex = positions.get(LogSchema.ROW_INDEX);
    int time = positions.get(LogSchema.PREDICTION_TIMESTAMP);
    int version = positions.get(LogSchema.MODEL_VERSION);
    int experiment = positions.get(LogSchema.EXPERIMENT);
    int variant = positions.get(LogSchema.VARIANT);
    int unit = positions.get(LogSchema.UNIT);
    int score = positions.get(LogSchema.SCORE);
    int defaulted = positions.get(LogSchema.DEFAULTED);
    int shadow = positions.get(LogSchema.SHADOW_SCORES);
    for (PreparedBatch prepared : batches) {
      var batch = prepared.batch();
      int[] at = prepared.names().stream().mapToInt(positions::get).toArray();
      for (int r = 0; r < prepared.values().size(); r++) {
        var row = batch.rows().get(r);
        Record record = GenericRecord.create(schema);
        record.set(requestId, batch.requestId());
        record.set(rowIndex, r);
        record.set(time, DateTimeUtil.timestamptzFromMicros(batch.timeMicros()));
        record.set(version, batch.modelVersion());
        record.set(experiment, batch.experiment());
        record.set(variant, batch.variant());
        record.set(unit, row.unit());
        Object[] values = prepared.values().get(r);
        for (int c = 0; c < values.length; c++) {
          record.set(at[c], LogSchema.toIceberg(values[c], prepared.types().get(c)));
        }
        record.set(score, row.score());
        record.set(defaulted, row.defaulted());
        record.set(shadow, row.shadowScores());
        sink.accept(record);
      }
    }
  }
}
