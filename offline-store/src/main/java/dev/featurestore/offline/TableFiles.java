package dev.featurestore.offline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the rows of a Parquet or CSV file, for looking at a training set or an input before ingesting it. */
public final class TableFiles {
  private TableFiles() {}

  /**
   * The rows of a {@code .parquet} or {@code .csv} file, each as column name to value in file column order. Parquet
   * values are in Iceberg's generic representation (timestamps as {@link java.time.OffsetDateTime}); CSV values are
   * the cells' text, null for an empty cell. Reads the whole file: meant for small files.
   *
   * @throws dev.featurestore.api.error.InvalidRequestException when the file is missing or of another kind
   */
  public static List<Map<String, Object>> read(Path file) {
    InputTable table = InputTable.read(file, "Cannot read '" + file.getFileName() + "'");
    List<Map<String, Object>> rows = new ArrayList<>(table.rows().size());
    for (Object[] values : table.rows()) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 0; i < values.length; i++) {
        row.put(table.columns().get(i), values[i]);
      }
      rows.add(Collections.unmodifiableMap(row));
    }
    return Collections.unmodifiableList(rows);
  }
}
