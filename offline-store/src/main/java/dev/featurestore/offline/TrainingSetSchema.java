package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureSelection;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * The Arrow schema and row count of a training set, known from the entity file's header (and, for Parquet, its
 * footer) and the definitions alone, without joining: what Flight's GetFlightInfo answers before DoGet runs.
 *
 * <p>It follows the output rules of the join ({@code TrainingSets}): the entity columns with their own types (CSV:
 * the join-key or timestamp type they are read as, else STRING), then one nullable column per feature, named as the
 * selection names them. {@code TrainingSetFlightIT} checks that it equals the schema DoGet streams.
 *
 * @param rows the number of rows (every entity row is kept), or -1 when unknown without reading the file (CSV)
 */
record TrainingSetSchema(Schema schema, long rows) {

  /**
   * The schema of {@code request}'s training set under {@code definitions}.
   *
   * @throws InvalidRequestException naming the column when the entity file lacks {@code event_timestamp} or a join
   *     key, a column has a type no training set carries, or a feature column would clash with an entity column
   */
  static TrainingSetSchema of(Definitions definitions, TrainingSetRequest request) {
    String action = "Cannot build training set from '" + request.entityFile().getFileName() + "'";
    FeatureSelection requested = request.featureService() == null
        ? definitions.select(request.features(), request.naming())
        : definitions.selectService(request.featureService(), request.naming());
    InputTable header = EntityFile.open(request.entityFile(), action).header();
    List<String> columns = header.columns();
    Set<String> entityColumns = new LinkedHashSet<>(columns);
    FeatureSelection selection = requested.qualifyingNamesIn(entityColumns);
    for (String name : selection.outputNames()) {
      if (entityColumns.contains(name)) {
        throw new InvalidRequestException(
            action + ": feature column '" + name + "' would clash with the entity column of that name");
      }
    }
    ValueType[] typed = new ValueType[columns.size()];
    int eventIndex = header.indexOf(ViewSchemas.EVENT_TIMESTAMP);
    if (eventIndex < 0) {
      throw new InvalidRequestException(action + ": column '" + ViewSchemas.EVENT_TIMESTAMP + "' is missing");
    }
    typed[eventIndex] = InputColumn.of(header, eventIndex, ValueType.TIMESTAMP, action).target();
    for (FeatureView view : selection.views()) {
      for (JoinKey key : selection.joinKeys().get(view.name())) {
        int index = header.indexOf(key.name());
        if (index < 0) {
          throw new InvalidRequestException(action + ": join key column '" + key.name() + "' (" + key.type()
              + ") of view '" + view.name() + "' is missing");
        }
        ValueType target = InputColumn.of(header, index, key.type(), action).target();
        if (typed[index] == null) {
          typed[index] = target;
        }
      }
    }
    List<Field> fields = new ArrayList<>();
    for (int c = 0; c < columns.size(); c++) {
      ValueType type;
      if (header.isCsv()) {
        type = typed[c] == null ? ValueType.STRING : typed[c];
      } else {
        type = entityColumnType(action, columns.get(c), header.types().get(c));
      }
      fields.add(ArrowValues.field(columns.get(c), type));
    }
    for (FeatureView view : selection.views()) {
      for (FeatureSelection.Column column : selection.columnsOf(view.name())) {
        fields.add(ArrowValues.field(column.outputName(), column.feature().type()));
      }
    }
    return new TrainingSetSchema(new Schema(fields), header.isCsv() ? -1 : parquetRows(request.entityFile(), action));
  }

  /**
   * The value type an entity file column of Iceberg type {@code type} keeps in a training set.
   *
   * @throws InvalidRequestException naming the column when no value type carries it
   */
  static ValueType entityColumnType(String action, String column, org.apache.iceberg.types.Type type) {
    ValueType valueType = ViewSchemas.valueTypeOf(type);
    if (valueType == null) {
      throw new InvalidRequestException(action + ": column '" + column + "' has type " + type
          + ", which a training set cannot carry (use a value type: bool, int, long, float, double, string, binary,"
          + " timestamp or a list of one)");
    }
    return valueType;
  }

  private static long parquetRows(Path file, String action) {
    if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet")) {
      return -1;
    }
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      return reader.getRecordCount();
    } catch (IOException e) {
      throw new InvalidRequestException(action + ": the file is not readable (" + e.getMessage() + ")", e);
    }
  }
}
