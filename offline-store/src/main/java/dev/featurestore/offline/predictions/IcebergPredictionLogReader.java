package dev.featurestore.offline.predictions;

import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.api.error.UnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;

/** {@link PredictionLogReader} on an Iceberg catalog; translates storage failures in one place. */
final class IcebergPredictionLogReader implements PredictionLogReader {
  static final String OUTCOME_TIMESTAMP = "outcome_timestamp";
  static final String OUTCOME = "outcome";

  private final HadoopCatalog catalog;

  IcebergPredictionLogReader(HadoopCatalog catalog) {
    this.catalog = catalog;
  }

  @Override
  public LogTrainingSetResult trainingSet(LogTrainingSetRequest request) {
    String action = "Cannot build a training set from the prediction log of model '" + request.model() + "'";
    return translate(action, () -> buildTrainingSet(request, action));
  }

  private LogTrainingSetResult buildTrainingSet(LogTrainingSetRequest request, String action) {
    long started = System.nanoTime();
    Table table = load(TableIdentifier.of(PredictionTables.NAMESPACE, request.model()))
        .orElseThrow(() -> new NotFoundException(action + ": no prediction of it is logged"));
    Snapshot snapshot = table.currentSnapshot();
    if (snapshot == null) {
      throw new NotFoundException(action + ": no prediction of it is logged");
    }
    Schema schema = table.schemas().get(snapshot.schemaId());
    Types.NestedField join = schema.findField(request.joinColumn());
    if (join == null) {
      throw new InvalidRequestException(action + ": the log has no column '" + request.joinColumn()
          + "' to join outcomes on (columns: " + names(schema) + ")");
    }
    boolean integerJoin = join.type().typeId() == Type.TypeID.INTEGER || join.type().typeId() == Type.TypeID.LONG;
    if (!integerJoin && join.type().typeId() != Type.TypeID.STRING) {
      throw new InvalidRequestException(action + ": join column '" + request.joinColumn() + "' is " + join.type()
          + "; outcomes join on unit or an integer or string key column");
    }
    for (String name : List.of(OUTCOME_TIMESTAMP, OUTCOME)) {
      if (schema.findField(name) != null) {
        throw new InvalidRequestException(
            action + ": the log has a column '" + name + "' that the training set's label column would clash with");
      }
    }
    OutcomeIndex outcomes = OutcomeIndex.of(
        Outcomes.read(request.outcomes(), request.outcomeColumns()), integerJoin, request.outcomes());

    Expression filter = Expressions.alwaysTrue();
    if (request.startMicros() != Long.MIN_VALUE) {
      filter = Expressions.and(filter,
          Expressions.greaterThanOrEqual(LogSchema.PREDICTION_TIMESTAMP, request.startMicros()));
    }
    if (request.endMicros() != Long.MAX_VALUE) {
      filter = Expressions.and(filter, Expressions.lessThan(LogSchema.PREDICTION_TIMESTAMP, request.endMicros()));
    }
    if (request.modelVersion() > 0) {
      filter = Expressions.and(filter, Expressions.equal(LogSchema.MODEL_VERSION, request.modelVersion()));
    }
    int timeAt = position(schema, LogSchema.PREDICTION_TIMESTAMP);
    int versionAt = position(schema, LogSchema.MODEL_VERSION);
    int joinAt = position(schema, request.joinColumn());
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(table).useSnapshot(snapshot.snapshotId()).where(filter).build()) {
      for (Record record : records) {
        long time = DateTimeUtil.microsFromTimestamptz((java.time.OffsetDateTime) record.get(timeAt));
        // the scan may return whole files: apply the selection to each row
        if (time >= request.startMicros() && time < request.endMicros()
            && (request.modelVersion() == 0 || (Integer) record.get(versionAt) == request.modelVersion())) {
          rows.add(record.copy());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int requestAt = position(schema, LogSchema.REQUEST_ID);
    int indexAt = position(schema, LogSchema.ROW_INDEX);
    rows.sort(Comparator.<Record, java.time.OffsetDateTime>comparing(r -> (java.time.OffsetDateTime) r.get(timeAt))
        .thenComparing(r -> (String) r.get(requestAt))
        .thenComparingInt(r -> (Integer) r.get(indexAt)));

    int width = schema.columns().size();
    List<Types.NestedField> fields = new ArrayList<>(schema.columns());
    fields.add(Types.NestedField.optional(
        schema.highestFieldId() + 1, OUTCOME_TIMESTAMP, Types.TimestampType.withZone()));
    fields.add(Types.NestedField.optional(schema.highestFieldId() + 2, OUTCOME, Types.DoubleType.get()));
    Schema output = new Schema(fields);
    List<Record> out = new ArrayList<>(rows.size());
    long labelled = 0;
    long window = request.window().isZero() ? Long.MAX_VALUE : request.window().toNanos() / 1_000;
    for (Record row : rows) {
      Record record = GenericRecord.create(output);
      for (int c = 0; c < width; c++) {
        record.set(c, row.get(c));
      }
      Object joinValue = row.get(joinAt);
      Outcome outcome = joinValue == null ? null : outcomes.first(joinValue.toString(),
          DateTimeUtil.microsFromTimestamptz((java.time.OffsetDateTime) row.get(timeAt)), window);
      if (outcome != null) {
        record.set(width, DateTimeUtil.timestamptzFromMicros(outcome.timeMicros()));
        record.set(width + 1, outcome.value());
        labelled++;
      }
      out.add(record);
    }
    ParquetFiles.writeAtomically(output, out, request.output());
    return new LogTrainingSetResult(out.size(), labelled, request.output(), snapshot.snapshotId(),
        (System.nanoTime() - started) / 1e9);
  }

  @Override
  public Assignments assignments(String experiment) {
    String action = "Cannot read the assignments of experiment '" + experiment + "'";
    return translate(action, () -> readAssignments(experiment, action));
  }

  private Assignments readAssignments(String experiment, String action) {
    List<TableIdentifier> ids;
    try {
      ids = catalog.listTables(PredictionTables.NAMESPACE);
    } catch (NoSuchNamespaceException e) {
      ids = List.of();
    }
    Map<String, Assignment> first = new HashMap<>();
    Set<String> conflicting = new HashSet<>();
    long withoutUnit = 0;
    long rows = 0;
    for (TableIdentifier id : ids) {
      Table table = catalog.loadTable(id);
      Schema schema = table.schema();
      List<String> columns = List.of(LogSchema.EXPERIMENT, LogSchema.VARIANT, LogSchema.UNIT,
          LogSchema.PREDICTION_TIMESTAMP);
      Schema projection = schema.select(columns);
      int experimentAt = position(projection, LogSchema.EXPERIMENT);
      int variantAt = position(projection, LogSchema.VARIANT);
      int unitAt = position(projection, LogSchema.UNIT);
      int timeAt = position(projection, LogSchema.PREDICTION_TIMESTAMP);
      try (CloseableIterable<Record> records = IcebergGenerics.read(table).select(columns)
          .where(Expressions.equal(LogSchema.EXPERIMENT, experiment)).build()) {
        for (Record record : records) {
          if (!experiment.equals(record.get(experimentAt))) {
            continue;
          }
          rows++;
          String unit = (String) record.get(unitAt);
          String variant = (String) record.get(variantAt);
          if (unit == null || variant == null) {
            withoutUnit++;
            continue;
          }
          long time = DateTimeUtil.microsFromTimestamptz((java.time.OffsetDateTime) record.get(timeAt));
          Assignment seen = first.get(unit);
          if (seen == null || time < seen.firstMicros()) {
            first.put(unit, new Assignment(unit, variant, time));
          }
          if (seen != null && !seen.variant().equals(variant)) {
            conflicting.add(unit);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (rows == 0) {
      throw new NotFoundException(action + ": no logged prediction names it (models logged: "
          + ids.stream().map(TableIdentifier::name).sorted().toList() + ")");
    }
    return new Assignments(new ArrayList<>(first.values()), conflicting.size(), withoutUnit);
  }

  @Override
  public void close() {
    try {
      catalog.close();
    } catch (IOException e) {
      throw new UnavailableException("Cannot close the prediction log reader: " + e.getMessage(), e);
    }
  }

  private Optional<Table> load(TableIdentifier id) {
    try {
      return Optional.of(catalog.loadTable(id));
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }

  private static List<String> names(Schema schema) {
    return schema.columns().stream().map(Types.NestedField::name).toList();
  }

  private static int position(Schema schema, String name) {
    List<Types.NestedField> columns = schema.columns();
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("column '" + name + "' is not in " + schema);
  }

  private static <T> T translate(String action, Supplier<T> work) {
    try {
      return work.get();
    } catch (FeatureStoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new UnavailableException(action + ": storage failed (" + e + ")", e);
    }
  }
}
