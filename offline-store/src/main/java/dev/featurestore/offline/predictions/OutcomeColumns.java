package dev.featurestore.offline.predictions;

import dev.featurestore.api.definition.Names;

/**
 * The column names of an outcomes file.
 *
 * @param unit the unit (or join key) column, default {@code unit}
 * @param time the time the outcome was observed, default {@code outcome_timestamp}
 * @param value the outcome, default {@code outcome}
 */
public record OutcomeColumns(String unit, String time, String value) {
  public OutcomeColumns {
    Names.check(unit, "outcome unit column");
    Names.check(time, "outcome time column");
    Names.check(value, "outcome value column");
  }

  public static OutcomeColumns defaults() {
    return new OutcomeColumns("unit", "outcome_timestamp", "outcome");
  }

  public OutcomeColumns withUnit(String unit) {
    return new OutcomeColumns(unit, time, value);
  }

  public OutcomeColumns withTime(String time) {
    return new OutcomeColumns(unit, time, value);
  }

  public OutcomeColumns withValue(String value) {
    return new OutcomeColumns(unit, time, value);
  }
}
