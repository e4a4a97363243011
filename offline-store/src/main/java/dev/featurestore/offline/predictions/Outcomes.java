package dev.featurestore.offline.predictions;

import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.offline.TableFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads outcomes files: one outcome per row, Parquet or CSV. */
public final class Outcomes {
  private Outcomes() {}

  /**
   * Reads a {@code .parquet} or {@code .csv} file with (at least) the three columns named by {@code columns}. The
   * unit is read as text (integers as their decimal form); the time as a timestamp, integer epoch microseconds or
   * (CSV) an ISO-8601 instant; the value as a number or a boolean (1 or 0). Every row needs all three.
   *
   * @throws InvalidRequestException naming the file, the row (1-based) and the column of the first bad value, or
   *     the missing column
   */
  public static List<Outcome> read(Path file, OutcomeColumns columns) {
    String action = "Cannot read outcomes '" + file.getFileName() + "'";
    List<Map<String, Object>> rows = TableFiles.read(file);
    if (!rows.isEmpty()) {
      for (String column : List.of(columns.unit(), columns.time(), columns.value())) {
        if (!rows.get(0).containsKey(column)) {
          throw new InvalidRequestException(action + ": column '" + column + "' is missing (columns: "
              + rows.get(0).keySet() + ")");
        }
      }
    }
    List<Outcome> outcomes = new ArrayList<>(rows.size());
    for (int r = 0; r < rows.size(); r++) {
      Map<String, Object> row = rows.get(r);
      String where = action + ": row " + (r + 1) + ", column '";
      outcomes.add(new Outcome(
          unit(required(row, columns.unit(), where), where + columns.unit() + "'"),
          micros(required(row, columns.time(), where), where + columns.time() + "'"),
          value(required(row, columns.value(), where), where + columns.value() + "'")));
    }
    return outcomes;
  }

  private static Object required(Map<String, Object> row, String column, String where) {
    Object value = row.get(column);
    if (value == null) {
      throw new InvalidRequestException(where + column + "': the value is missing");
    }
    return value;
  }

  private static String unit(Object value, String where) {
    if (value instanceof Long || value instanceof Integer || value instanceof String) {
      return value.toString();
    }
    throw new InvalidRequestException(where + ": expected a string or an integer but got " + describe(value));
  }

  private static long micros(Object value, String where) {
    if (value instanceof OffsetDateTime time) {
      return ChronoUnit.MICROS.between(Instant.EPOCH, time.toInstant());
    }
    if (value instanceof LocalDateTime time) {
      return ChronoUnit.MICROS.between(Instant.EPOCH, time.toInstant(ZoneOffset.UTC));
    }
    if (value instanceof Long || value instanceof Integer) {
      return ((Number) value).longValue();
    }
    if (value instanceof String text) {
      String trimmed = text.trim();
      try {
        return trimmed.matches("-?\\d+")
            ? Long.parseLong(trimmed)
            : ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse(trimmed));
      } catch (NumberFormatException | DateTimeParseException e) {
        throw new InvalidRequestException(where + ": expected an ISO-8601 instant or epoch microseconds but got '"
            + text + "'", e);
      }
    }
    throw new InvalidRequestException(where + ": expected a timestamp but got " + describe(value));
  }

  private static double value(Object value, String where) {
    if (value instanceof Boolean flag) {
      return flag ? 1 : 0;
    }
    if (value instanceof Number number && Double.isFinite(number.doubleValue())) {
      return number.doubleValue();
    }
    if (value instanceof String text) {
      String trimmed = text.trim();
      if (trimmed.equalsIgnoreCase("true") || trimmed.equalsIgnoreCase("false")) {
        return trimmed.equalsIgnoreCase("true") ? 1 : 0;
      }
      try {
        double parsed = Double.parseDouble(trimmed);
        if (!Double.isNaN(parsed) && !Double.isInfinite(parsed)) {
          return parsed;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new InvalidRequestException(where + ": expected a finite number or true/false but got '" + text + "'");
    }
    throw new InvalidRequestException(where + ": expected a finite number but got " + describe(value));
  }

  private static String describe(Object value) {
    return value.getClass().getSimpleName() + " '" + value + "'";
  }
}
