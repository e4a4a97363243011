package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.InvalidRequestException;

/**
 * One column of an input file read as a value type: checks the column's own type once (Parquet) and converts each
 * cell to the canonical representation, with messages naming the column and the row.
 */
final class InputColumn {
  private final InputTable table;
  private final int index;
  private final String name;
  private final ValueType target;
  private final ValueType source;
  private final String action;

  private InputColumn(InputTable table, int index, ValueType target, ValueType source, String action) {
    this.table = table;
    this.index = index;
    this.name = table.columns().get(index);
    this.target = target;
    this.source = source;
    this.action = action;
  }

  /**
   * Reads column {@code index} of {@code table} as {@code target}.
   *
   * @param action the start of every message, e.g. "Cannot ingest 'x.csv' into view 'v'"
   * @throws InvalidRequestException naming the column when a Parquet column's type cannot hold {@code target}
   */
  static InputColumn of(InputTable table, int index, ValueType target, String action) {
    if (table.isCsv()) {
      return new InputColumn(table, index, target, null, action);
    }
    ValueType source = ViewSchemas.valueTypeOf(table.types().get(index));
    if (source == null || !ViewSchemas.widens(source, target)) {
      throw new InvalidRequestException(
          action + ": column '" + table.columns().get(index) + "': expected " + target + " but the file has type "
              + table.types().get(index));
    }
    return new InputColumn(table, index, target, source, action);
  }

  String name() {
    return name;
  }

  /** The column's index in its table's rows. */
  int index() {
    return index;
  }

  ValueType target() {
    return target;
  }

  /**
   * The canonical value of this column in row {@code row} (0-based; messages count from 1), null for a null cell.
   *
   * @throws InvalidRequestException naming row and column when the cell is no value of the target type
   */
  Object value(int row) {
    return convert(table.rows().get(row)[index], row);
  }

  /**
   * The canonical value of a cell of this column read elsewhere (a streamed file), null for null.
   *
   * @param row the cell's row (0-based; messages count from 1)
   * @throws InvalidRequestException naming row and column when the cell is no value of the target type
   */
  Object convert(Object raw, long row) {
    if (raw == null) {
      return null;
    }
    try {
      if (source == null) {
        return CsvValues.parse((String) raw, target);
      }
      return target.coerce(ViewSchemas.fromIceberg(raw, source), name);
    } catch (IllegalArgumentException | ArithmeticException | InvalidRequestException e) {
      String shown = String.valueOf(raw);
      if (shown.length() > 40) {
        shown = shown.substring(0, 40) + "...";
      }
      throw new InvalidRequestException(
          action + ": row " + (row + 1) + ", column '" + name + "': expected " + target + " but got '" + shown + "'",
          e);
    }
  }

  /**
   * Like {@link #value} but refuses null.
   *
   * @param what what the column is, for the message ("join key")
   */
  Object required(int row, String what) {
    return required(table.rows().get(row)[index], row, what);
  }

  /** Like {@link #convert} but refuses null. */
  Object required(Object raw, long row, String what) {
    Object value = convert(raw, row);
    if (value == null) {
      throw new InvalidRequestException(
          action + ": row " + (row + 1) + ", column '" + name + "': " + what + " is null");
    }
    return value;
  }
}
