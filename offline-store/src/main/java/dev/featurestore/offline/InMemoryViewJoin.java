package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import java.util.Arrays;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;

/**
 * The as-of join of one view when its probes are in memory, in two passes over the view's data files
 * ({@link ViewRowReader}, a column at a time):
 *
 * <ol>
 *   <li>only the keys and both timestamps of the rows in the time range, into {@link ViewColumns}; sort and merge
 *       with the probes ({@link AsOfMerge}), which picks each entity row's match;
 *   <li>the feature values of the matched rows alone, each distinct row once, file by file in position order.
 * </ol>
 *
 * Why two passes: most of a view's rows match no entity row (superseded by a newer row, older than the TTL, of a
 * key no entity row has), and the single pass it replaces decoded, boxed and held every value of every row until
 * the merge, which was most of the join's time and memory (allocation and garbage collection included).
 *
 * <p>Everything kept is measured against the view's share of the memory budget; beyond it, {@link #join} gives
 * up and returns null, and the caller joins the view on the spilling path instead.
 */
final class InMemoryViewJoin {
  /** How often (in rows) the first pass measures its columns against the share. */
  private static final int MEASURE_EVERY = 4096;
  /** The second pass measures the heap of one matched row's values in this many, as that of each of them. */
  private static final int MEASURE_VALUES_EVERY = 8;

  private InMemoryViewJoin() {}

  /** Thrown by a sink to end a pass that outgrew the share; caught in {@link #join}. */
  private static final class OverShare extends RuntimeException {
    OverShare() {
      super(null, null, false, false);
    }
  }

  /**
   * What the join found: the values of each entity row's match (null for none); for the log, how many rows were
   * in range and how long each step took (first pass, sort and merge, second pass).
   */
  record Matches(Object[][] valuesByRow, long rowsInRange, long keysNanos, long mergeNanos, long valuesNanos) {}

  /**
   * Joins {@code view} (its {@code features}, at {@code snapshotId}) with {@code probes}: the rows with {@code
   * fromMicros <= event_timestamp <= toMicros}, as known at {@code knownAtMicros} when not null.
   *
   * @param entityRows the number of entity rows, the length of the result
   * @param shareBytes the heap this view's join may take
   * @return the matches, or null when the join would take more than {@code shareBytes}
   */
  static Matches join(Table table, long snapshotId, FeatureView view, List<JoinKey> joinKeys, List<Feature> features,
      ValueType[] keyTypes, long fromMicros, long toMicros, Long knownAtMicros, long ttlMicros, ProbeColumns probes,
      int entityRows, long shareBytes) {
    String action = "Cannot build training set: view '" + view.name() + "'";
    ViewRowReader reader = ViewRowReader.of(table, TableScanner.schemaAt(table, snapshotId), joinKeys, view,
        features, action);
    long createdAtMost = knownAtMicros == null ? Long.MAX_VALUE : knownAtMicros;
    List<DataFile> files = TableScanner.files(table, snapshotId, fromMicros, toMicros, createdAtMost);
    long[] sequences = files.stream()
        .mapToLong(file -> file.dataSequenceNumber() == null ? 0 : file.dataSequenceNumber()).toArray();
    ViewColumns rows = new ViewColumns(keyTypes);
    // the probes' match per entity row, and the other pass's own arrays, are taken from the share up front
    long fixedBytes = 4L * entityRows + 8L * entityRows;
    boolean prefixKey = reader.hasLongKey() && SortKeys.isPrefixOnly(keyTypes);
    boolean knownAt = knownAtMicros != null;
    long started = System.nanoTime();
    try {
      for (int f = 0; f < files.size(); f++) {
        reader.scanKeys(files.get(f), f, fromMicros, toMicros, createdAtMost,
            (longKey, keyValues, event, created, file, position) -> {
              long eligible = knownAt ? Math.max(event, created) : event;
              if (prefixKey) {
                rows.addPrefix(JoinRows.prefixOfInteger(longKey, keyTypes[0]), eligible, event, created,
                    sequences[file], file, position);
              } else {
                Object[] values = keyValues != null ? keyValues : new Object[] {longKey};
                rows.add(ValueCodec.key(values, keyTypes), eligible, event, created, sequences[file], file,
                    position);
              }
              if (rows.size() % MEASURE_EVERY == 0 && rows.heapBytes() + fixedBytes > shareBytes) {
                throw new OverShare();
              }
            });
      }
      if (rows.heapBytes() + fixedBytes > shareBytes) {
        return null;
      }
      long scanned = System.nanoTime();
      int[] matchOf = new int[entityRows];
      Arrays.fill(matchOf, -1);
      AsOfMerge.merge(probes, rows, ttlMicros, matchOf);
      long merged = System.nanoTime();
      Object[][] valuesOfRow = readMatchedValues(reader, files, rows, matchOf,
          shareBytes - rows.heapBytes() - fixedBytes);
      Object[][] valuesByRow = new Object[entityRows][];
      for (int row = 0; row < entityRows; row++) {
        valuesByRow[row] = matchOf[row] < 0 ? null : valuesOfRow[matchOf[row]];
      }
      return new Matches(valuesByRow, rows.size(), scanned - started, merged - scanned, System.nanoTime() - merged);
    } catch (OverShare e) {
      return null;
    }
  }

  /**
   * The feature values of every row some entity row matched, by the row's (sorted) index: each file read once,
   * only for its matched positions, in ascending order.
   */
  private static Object[][] readMatchedValues(ViewRowReader reader, List<DataFile> files, ViewColumns rows,
      int[] matchOf, long shareBytes) {
    boolean[] matched = new boolean[rows.size()];
    int[] perFile = new int[files.size()];
    for (int row : matchOf) {
      if (row >= 0 && !matched[row]) {
        matched[row] = true;
        perFile[rows.file(row)]++;
      }
    }
    // per file: (position, row index) pairs as longs, sorted by position
    long[][] byFile = new long[files.size()][];
    for (int f = 0; f < byFile.length; f++) {
      byFile[f] = new long[perFile[f]];
    }
    int[] filled = new int[files.size()];
    for (int row = 0; row < matched.length; row++) {
      if (matched[row]) {
        int f = rows.file(row);
        byFile[f][filled[f]++] = ((long) rows.position(row) << 32) | row;
      }
    }
    Object[][] valuesOfRow = new Object[rows.size()][];
    long[] bytes = {8L * rows.size() + matched.length};
    for (int f = 0; f < byFile.length; f++) {
      long[] pairs = byFile[f];
      Arrays.sort(pairs);
      int[] positions = new int[pairs.length];
      for (int i = 0; i < pairs.length; i++) {
        positions[i] = (int) (pairs[i] >>> 32);
      }
      int[] next = {0};
      reader.readValues(files.get(f), positions, values -> {
        valuesOfRow[(int) pairs[next[0]]] = values; // the low half: the row index
        // one row in MEASURE_VALUES_EVERY measured, for all of them: measuring each was a twentieth of the join
        if (next[0]++ % MEASURE_VALUES_EVERY == 0) {
          bytes[0] += MEASURE_VALUES_EVERY * ValueCodec.heapBytes(values);
          if (bytes[0] > shareBytes) {
            throw new OverShare();
          }
        }
      });
    }
    return valuesOfRow;
  }
}
