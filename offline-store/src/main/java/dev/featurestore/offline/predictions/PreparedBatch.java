package dev.featurestore.offline.predictions;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Names;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.online.spi.PredictionBatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A logged batch checked on its own and converted to canonical values: the model name is an identifier, column
 * names are usable in Iceberg, taken by no fixed column and appear once, each row has a value (or null) of its
 * type for every column.
 *
 * @param names the key then the feature columns
 * @param types parallel to {@code names}
 * @param values one array per row, parallel to {@code names}
 */
record PreparedBatch(PredictionBatch batch, List<String> names, List<ValueType> types, List<Object[]> values) {

  /** @throws InvalidRequestException naming the request, the row and the column */
  static PreparedBatch of(PredictionBatch batch) {
    String action = "Cannot log request '" + batch.requestId() + "' of model '" + batch.model() + "'";
    try {
      Names.check(batch.model(), "model");
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException(action + ": " + e.getMessage(), e);
    }
    List<String> names = new ArrayList<>();
    List<ValueType> types = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (List<PredictionBatch.Column> columns : List.of(batch.keyColumns(), batch.featureColumns())) {
      for (PredictionBatch.Column column : columns) {
        if (!isColumnName(column.name())) {
          throw new InvalidRequestException(action + ": column name '" + column.name()
              + "' is empty, longer than 128 characters, or has a '.' or a control character");
        }
        if (LogSchema.RESERVED.contains(column.name())) {
          throw new InvalidRequestException(
              action + ": column '" + column.name() + "' clashes with the log's own column of that name");
        }
        if (!seen.add(column.name())) {
          throw new InvalidRequestException(action + ": column '" + column.name() + "' appears twice");
        }
        names.add(column.name());
        types.add(column.type());
      }
    }
    int keyCount = batch.keyColumns().size();
    List<Object[]> values = new ArrayList<>(batch.rows().size());
    for (int r = 0; r < batch.rows().size(); r++) {
      PredictionBatch.PredictionRow row = batch.rows().get(r);
      if (row.keys().size() != keyCount || row.features().size() != names.size() - keyCount) {
        throw new InvalidRequestException(action + ": row " + r + " has " + row.keys().size() + " keys and "
            + row.features().size() + " features but the batch has " + keyCount + " key and "
            + (names.size() - keyCount) + " feature columns");
      }
      Object[] converted = new Object[names.size()];
      for (int c = 0; c < converted.length; c++) {
        Object value = c < keyCount ? row.keys().get(c) : row.features().get(c - keyCount);
        try {
          converted[c] = types.get(c).coerce(value, names.get(c));
        } catch (InvalidRequestException e) {
          throw new InvalidRequestException(action + ": row " + r + ": " + e.getMessage(), e);
        }
      }
      values.add(converted);
    }
    return new PreparedBatch(batch, names, types, values);
  }

  /**
   * Whether a logged column may take this name: model inputs need not be identifiers ({@code view:feature} is
   * fine), but a dot would read as a nested field in Iceberg.
   */
  private static boolean isColumnName(String name) {
    return !name.isEmpty()
        && name.length() <= 128
        && name.chars().noneMatch(c -> c == '.' || Character.isISOControl(c));
  }
}
