package dev.featurestore.offline;

import dev.featurestore.offline.JoinRows.Match;
import dev.featurestore.offline.JoinRows.Probe;
import dev.featurestore.offline.JoinRows.ViewRow;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * The merge step of the as-of join of one view: walks probes sorted by (key, t) and view rows sorted by (key,
 * eligible) once, together, and emits a {@link Match} for every probe that has a row.
 *
 * <p>Why one pass is enough: for a fixed key, the rows a probe at {@code t} may see are those with
 * {@code eligible <= t} (event timestamp {@code <= t}, and created timestamp {@code <= t} as known at), a set
 * that only grows as {@code t} grows. So the newest of them ({@link JoinRows#NEWEST_LAST}) is a running maximum.
 * The TTL needs no search either: the newest eligible row has the largest event timestamp of all eligible rows, so
 * when it is older than {@code t - ttl}, every eligible row is.
 */
final class AsOfMerge {
  private AsOfMerge() {}

  /**
   * @param ttlMicros the view's TTL, 0 for none
   * @param sink receives one match per probe that has a row, in probe order
   */
  static void merge(Iterator<Probe> probes, Iterator<ViewRow> rows, long ttlMicros, Consumer<Match> sink) {
    ViewRow row = rows.hasNext() ? rows.next() : null;
    Probe current = null;
    ViewRow best = null;
    while (probes.hasNext()) {
      Probe probe = probes.next();
      if (current == null
          || JoinRows.compareKeys(current.prefix(), current.key(), probe.prefix(), probe.key()) != 0) {
        best = null;
      }
      current = probe;
      while (row != null) {
        int byKey = JoinRows.compareKeys(row.prefix(), row.key(), probe.prefix(), probe.key());
        if (byKey > 0 || (byKey == 0 && row.eligible() > probe.t())) {
          break;
        }
        if (byKey == 0 && (best == null || JoinRows.NEWEST_LAST.compare(row, best) > 0)) {
          best = row;
        }
        row = rows.hasNext() ? rows.next() : null;
      }
      if (best != null && (ttlMicros <= 0 || best.event() >= saturatedMinus(probe.t(), ttlMicros))) {
        sink.accept(new Match(probe.position(), best.values()));
      }
    }
  }

  /**
   * The same merge over columns, for the in-memory join: sorts both sides (in place) and, for every probe that has
   * a row, sets {@code matchOf[probe position]} to the row's sorted index in {@code rows} (other entries are left
   * alone).
   */
  static void merge(ProbeColumns probes, ViewColumns rows, long ttlMicros, int[] matchOf) {
    probes.sort();
    rows.sort();
    SortKeys probeKeys = probes.keys();
    SortKeys rowKeys = rows.keys();
    int rowCount = rows.size();
    int next = 0;
    int best = -1;
    for (int probe = 0; probe < probes.size(); probe++) {
      if (probe == 0 || SortKeys.compareKeys(probeKeys, probe - 1, probeKeys, probe) != 0) {
        best = -1;
      }
      long t = probeKeys.time(probe);
      while (next < rowCount) {
        int byKey = SortKeys.compareKeys(rowKeys, next, probeKeys, probe);
        if (byKey > 0 || (byKey == 0 && rowKeys.time(next) > t)) {
          break;
        }
        if (byKey == 0 && (best < 0 || rows.compareNewest(next, best) > 0)) {
          best = next;
        }
        next++;
      }
      if (best >= 0 && (ttlMicros <= 0 || rows.event(best) >= saturatedMinus(t, ttlMicros))) {
        matchOf[probes.position(probe)] = best;
      }
    }
  }

  static long saturatedMinus(long a, long b) {
    long result = a - b;
    // overflow only when the signs of a and b differ and the result's sign differs from a's
    return ((a ^ b) & (a ^ result)) < 0 ? Long.MIN_VALUE : result;
  }
}
