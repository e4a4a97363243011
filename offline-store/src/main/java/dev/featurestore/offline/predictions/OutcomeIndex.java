package dev.featurestore.offline.predictions;

import dev.featurestore.api.error.InvalidRequestException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Outcomes by unit, each unit's in time order (ties in file order), for finding the first one after a time. */
final class OutcomeIndex {
  private final Map<String, List<Outcome>> byUnit;

  private OutcomeIndex(Map<String, List<Outcome>> byUnit) {
    this.byUnit = byUnit;
  }

  /**
   * @param integerUnits whether the join column is an integer: units are then compared as numbers ("007" is 7)
   * @throws InvalidRequestException naming the unit when {@code integerUnits} and a unit is no integer
   */
  static OutcomeIndex of(List<Outcome> outcomes, boolean integerUnits, Path file) {
    Map<String, List<Outcome>> byUnit = new HashMap<>();
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome outcome = outcomes.get(i);
      String unit = outcome.unit();
      if (integerUnits) {
        try {
          unit = Long.toString(Long.parseLong(unit.trim()));
        } catch (NumberFormatException e) {
          throw new InvalidRequestException("Cannot read outcomes '" + file.getFileName() + "': row " + (i + 1)
              + ": unit '" + outcome.unit() + "' is no integer, but the join column of the log is");
        }
      }
      byUnit.computeIfAbsent(unit, u -> new ArrayList<>()).add(outcome);
    }
    // List.sort is stable: equal times keep file order
    byUnit.values().forEach(list -> list.sort(Comparator.comparingLong(Outcome::timeMicros)));
    return new OutcomeIndex(byUnit);
  }

  /**
   * The first outcome of {@code unit} with {@code from <= time <= from + window}, or null.
   *
   * @param window microseconds; {@link Long#MAX_VALUE} for no limit
   */
  Outcome first(String unit, long from, long window) {
    List<Outcome> list = byUnit.get(unit);
    if (list == null) {
      return null;
    }
    int low = 0;
    int high = list.size();
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (list.get(mid).timeMicros() < from) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    if (low == list.size()) {
      return null;
    }
    Outcome candidate = list.get(low);
    long limit = window == Long.MAX_VALUE || from > Long.MAX_VALUE - window ? Long.MAX_VALUE : from + window;
    return candidate.timeMicros() <= limit ? candidate : null;
  }
}
