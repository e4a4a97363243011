package dev.featurestore.deploy.cli;

import dev.featurestore.offline.predictions.OutcomeColumns;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The outcomes file of the prediction-log commands and the names of its time and value columns. */
final class OutcomeFileOptions {
  @Option(names = "--outcomes", required = true, paramLabel = "FILE",
      description = "Outcomes: a .parquet or .csv file with a unit (or key) column, a time and a value column.")
  Path file;

  @Option(names = "--time-column", defaultValue = "outcome_timestamp", paramLabel = "NAME",
      description = "Outcomes column of the time, ISO-8601 or epoch microseconds (default: ${DEFAULT-VALUE}).")
  String timeColumn;

  @Option(names = "--value-column", defaultValue = "outcome", paramLabel = "NAME",
      description = "Outcomes column of the value, a number or true/false (default: ${DEFAULT-VALUE}).")
  String valueColumn;

  /** The column names, with {@code unitColumn} as the unit (or join key) column. */
  OutcomeColumns columns(String unitColumn) {
    return new OutcomeColumns(unitColumn, timeColumn, valueColumn);
  }
}
