package dev.featurestore.offline;

import dev.featurestore.api.data.EntityKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of one view grouped by key and sorted oldest to newest, answering point-in-time lookups by binary search.
 * Immutable once built; safe to share between threads.
 */
final class PointInTimeIndex {
  private final Map<EntityKey, StoredRow[]> rowsByKey;

  private PointInTimeIndex(Map<EntityKey, StoredRow[]> rowsByKey) {
    this.rowsByKey = rowsByKey;
  }

  static PointInTimeIndex of(Iterable<StoredRow> rows) {
    Map<EntityKey, List<StoredRow>> grouped = new HashMap<>();
    for (StoredRow row : rows) {
      grouped.computeIfAbsent(row.key(), key -> new ArrayList<>()).add(row);
    }
    Map<EntityKey, StoredRow[]> sorted = new HashMap<>(grouped.size() * 2);
    grouped.forEach((key, list) -> {
      StoredRow[] array = list.toArray(StoredRow[]::new);
      java.util.Arrays.sort(array, StoredRow.NEWEST_LAST);
      sorted.put(key, array);
    });
    return new PointInTimeIndex(sorted);
  }

  /**
   * The row of {@code key} that is true at {@code t}: the newest (by {@link StoredRow#NEWEST_LAST}) with
   * {@code event <= t}, and {@code event >= t - ttl} when {@code ttlMicros > 0}, and {@code created <= t} when
   * {@code asKnownAt}; null when there is none.
   */
  StoredRow lookup(EntityKey key, long t, long ttlMicros, boolean asKnownAt) {
    StoredRow[] rows = rowsByKey.get(key);
    if (rows == null) {
      return null;
    }
    long oldest = ttlMicros > 0 ? saturatedMinus(t, ttlMicros) : Long.MIN_VALUE;
    // rows are sorted by event first, so the newest candidate is the last row with event <= t
    for (int i = lastAtOrBefore(rows, t); i >= 0; i--) {
      StoredRow row = rows[i];
      if (row.eventMicros() < oldest) {
        return null;
      }
      if (!asKnownAt || row.createdMicros() <= t) {
        return row;
      }
    }
    return null;
  }

  private static int lastAtOrBefore(StoredRow[] rows, long t) {
    int low = 0;
    int high = rows.length - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (rows[mid].eventMicros() <= t) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  private static long saturatedMinus(long a, long b) {
    long result = a - b;
    // overflow only when the signs of a and b differ and the result's sign differs from a's
    return ((a ^ b) & (a ^ result)) < 0 ? Long.MIN_VALUE : result;
  }
}
