package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.offline.JoinRows.Match;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
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
 * <p>Everything kept is measured against the view's share of the memory budget. When the keys and times do not
 * fit, the first pass is made in several, each over the rows of a slice of the keys ({@link KeyPasses}); only
 * when that would take more than {@link #MAX_KEY_PASSES} does {@link #join} give up and return null, and the caller
 * joins the view on the spilling path instead. When only the matched values do not fit, they go to a sorter by
 * entity row that spills (the spilling path's last step).
 */
final class InMemoryViewJoin {
  /** How often (in rows) the first pass measures its columns against the share. */
  private static final int MEASURE_EVERY = 4096;
  /** After this many matched rows, the second pass judges from their size whether all of them will fit. */
  private static final int ESTIMATE_AFTER_ROWS = 4096;
  /**
   * The most passes over a view's keys ({@link KeyPasses}) before the view goes to the spilling path: each pass
   * reads the key columns of every file in range again.
   */
  static final int MAX_KEY_PASSES = 16;
  /** Per row of a pass, the number {@link KeyPasses#keep} gives it (an int), beside the row's columns. */
  private static final int KEPT_AS_BYTES = 4;
  /** Room for keys that hash a little unevenly, when choosing the passes and sizing their columns. */
  private static final double PASS_SLACK = 1.1;

  private InMemoryViewJoin() {}

  /** Thrown by a sink to end a pass that outgrew the share; caught in {@link #join}. */
  private static final class OverShare extends RuntimeException {
    OverShare() {
      super(null, null, false, false);
    }
  }

  /**
   * What the join found: the values of each entity row's match, either in memory ({@code values}, the match of
   * entity row {@code r} being its row {@code slotOfRow[r]}, -1 for no match) or, when they did not fit, as
   * matches sorted by entity row from a sorter that spilled ({@code spilled}); for the log, how many rows were in
   * range, in how many passes the keys were read ({@link KeyPasses}) and how long each step took (reading the
   * keys, sort and merge, second pass).
   */
  record Matches(MatchedValues values, int[] slotOfRow, Iterator<Match> spilled, long rowsInRange, int keyPasses,
      long keysNanos, long mergeNanos, long valuesNanos) {}

  /**
   * Joins {@code view} (its {@code features}, at {@code snapshotId}) with {@code probes}: the rows with {@code
   * fromMicros <= event_timestamp <= toMicros}, as known at {@code knownAtMicros} when not null.
   *
   * @param entityRows the number of entity rows, the length of the result
   * @param shareBytes the heap this view's join may take
   * @param matchSorter opens the sorter (by entity row, spilling to disk) the matches go to when their values do
   *     not fit in the share; the caller closes it
   * @return the matches, or null when the view's keys and times would take more than {@link #MAX_KEY_PASSES}
   *     passes of {@code shareBytes} each
   */
  static Matches join(Table table, long snapshotId, FeatureView view, List<JoinKey> joinKeys, List<Feature> features,
      ValueType[] keyTypes, long fromMicros, long toMicros, Long knownAtMicros, long ttlMicros, ProbeColumns probes,
      int entityRows, long shareBytes, Supplier<ExternalSorter<Match>> matchSorter) {
    String action = "Cannot build training set: view '" + view.name() + "'";
    ViewRowReader reader = ViewRowReader.of(table, TableScanner.schemaAt(table, snapshotId), joinKeys, view,
        features, action);
    long createdAtMost = knownAtMicros == null ? Long.MAX_VALUE : knownAtMicros;
    List<DataFile> files = TableScanner.files(table, snapshotId, fromMicros, toMicros, createdAtMost);
    // the global match of each entity row and of one pass, and each matched row's file and position
    long fixedBytes = 16L * entityRows;
    long keyBytes = shareBytes - fixedBytes;
    long rowsAtMost = files.stream().mapToLong(DataFile::recordCount).sum();
    int passes = Math.max(1, (int) Math.min(MAX_KEY_PASSES + 1L,
        (long) Math.ceil(rowsAtMost * (ViewColumns.bytesPerRow(keyTypes) + KEPT_AS_BYTES) * PASS_SLACK
            / Math.max(1, keyBytes))));
    long started = System.nanoTime();
    KeyPasses keys = null;
    while (keys == null && passes <= MAX_KEY_PASSES && keyBytes > 0) {
      try {
        keys = KeyPasses.run(reader, files, keyTypes, fromMicros, toMicros, knownAtMicros, ttlMicros, probes,
            entityRows, keyBytes, passes, rowsAtMost);
      } catch (OverShare e) {
        // a pass held more than its share (keys hashed unevenly, or longer than guessed): twice the passes, each
        // holding about half as many rows
        passes *= 2;
      }
    }
    if (keys == null) {
      return null;
    }
    long merged = System.nanoTime();
    long[][] byFile = keys.byFile(files.size());
    ValueType[] featureTypes = features.stream().map(Feature::type).toArray(ValueType[]::new);
    int[] matchOf = keys.matchOf;
    MatchedValues values;
    try {
      values = readMatchedValues(reader, files, byFile, keys.matched, featureTypes, matchOf,
          shareBytes - fixedBytes);
    } catch (OverShare e) {
      // the keys fit but the matched values do not: they go to a sorter by entity row instead, which spills
      Iterator<Match> spilled = spillMatchedValues(reader, files, byFile, keys.matched, matchOf, matchSorter.get());
      return new Matches(null, null, spilled, keys.rowsInRange, passes, keys.scanNanos, keys.mergeNanos,
          System.nanoTime() - merged);
    }
    return new Matches(values, matchOf, null, keys.rowsInRange, passes, keys.scanNanos, keys.mergeNanos,
        System.nanoTime() - merged);
  }

  /**
   * The first pass of the join, made as {@code passes} passes when the view's keys and times do not fit its share
   * at once: pass {@code p} holds only the rows whose key hashes to {@code p} ({@link #passOf}), sorts and merges
   * them with all the probes (a probe whose key is in another pass finds no row of its key, so it is left alone),
   * and keeps of them only the rows some entity row matched. Reading the key columns again per pass costs less
   * than the spilling path, which sorts every row with its values through the disk.
   */
  private static final class KeyPasses {
    /** Per entity row, the matched row ({@code 0 .. matched - 1}) or -1. */
    final int[] matchOf;
    /** The matched rows' data files (indices in the scan) and positions in them. */
    private int[] files = new int[1024];
    private int[] positions = new int[1024];
    int matched;
    long rowsInRange;
    long scanNanos;
    long mergeNanos;

    private KeyPasses(int entityRows) {
      matchOf = new int[entityRows];
      Arrays.fill(matchOf, -1);
    }

    /** Throws {@link OverShare} when a pass's rows take more than {@code shareBytes}. */
    static KeyPasses run(ViewRowReader reader, List<DataFile> files, ValueType[] keyTypes, long fromMicros,
        long toMicros, Long knownAtMicros, long ttlMicros, ProbeColumns probes, int entityRows, long shareBytes,
        int passes, long rowsAtMost) {
      long[] sequences = files.stream()
          .mapToLong(file -> file.dataSequenceNumber() == null ? 0 : file.dataSequenceNumber()).toArray();
      long createdAtMost = knownAtMicros == null ? Long.MAX_VALUE : knownAtMicros;
      boolean knownAt = knownAtMicros != null;
      // one INT64 or INT32 key column: its prefix alone is the key, so no key bytes are built
      boolean prefixKey = reader.hasLongKey();
      KeyPasses result = new KeyPasses(entityRows);
      int[] passMatch = new int[entityRows];
      // sized for an even share of the rows the files hold (some may lie out of range): no growth copies
      int expected = (int) Math.min(Integer.MAX_VALUE - 8, (long) (rowsAtMost * PASS_SLACK / passes) + 1024);
      for (int pass = 0; pass < passes; pass++) {
        long started = System.nanoTime();
        int current = pass;
        ViewColumns rows = new ViewColumns(keyTypes, passes == 1 ? 1024 : expected);
        for (int f = 0; f < files.size(); f++) {
          reader.scanKeys(files.get(f), f, fromMicros, toMicros, createdAtMost,
              (longKey, keyValues, event, created, file, position) -> {
                long eligible = knownAt ? Math.max(event, created) : event;
                if (prefixKey) {
                  long prefix = JoinRows.prefixOfInteger(longKey, keyTypes[0]);
                  if (passOf(prefix, passes) != current) {
                    return;
                  }
                  rows.addPrefix(prefix, eligible, event, created, sequences[file], file, position);
                } else {
                  byte[] key = ValueCodec.key(keyValues, keyTypes);
                  if (passOf(Arrays.hashCode(key), passes) != current) {
                    return;
                  }
                  rows.add(key, eligible, event, created, sequences[file], file, position);
                }
                if (rows.size() % MEASURE_EVERY == 0 && heldBytes(rows) > shareBytes) {
                  throw new OverShare();
                }
              });
        }
        if (heldBytes(rows) > shareBytes) {
          throw new OverShare();
        }
        long scanned = System.nanoTime();
        Arrays.fill(passMatch, -1);
        AsOfMerge.merge(probes, rows, ttlMicros, passMatch);
        result.keep(rows, passMatch);
        result.rowsInRange += rows.size();
        result.scanNanos += scanned - started;
        result.mergeNanos += System.nanoTime() - scanned;
      }
      return result;
    }

    /** What a pass holds: its rows, and the number {@link #keep} gives each of them. */
    private static long heldBytes(ViewColumns rows) {
      return rows.heapBytes() + (long) KEPT_AS_BYTES * rows.size();
    }

    /** Numbers the rows of {@code rows} that entity rows matched in this pass ({@code passMatch}), each once. */
    private void keep(ViewColumns rows, int[] passMatch) {
      int[] keptAs = new int[rows.size()];
      Arrays.fill(keptAs, -1);
      for (int entity = 0; entity < passMatch.length; entity++) {
        int row = passMatch[entity];
        if (row < 0) {
          continue;
        }
        if (keptAs[row] < 0) {
          if (matched == files.length) {
            files = Arrays.copyOf(files, Math.min(matchOf.length, 2 * matched));
            positions = Arrays.copyOf(positions, files.length);
          }
          files[matched] = rows.file(row);
          positions[matched] = rows.position(row);
          keptAs[row] = matched++;
        }
        matchOf[entity] = keptAs[row];
      }
    }

    /**
     * The matched rows per file, as (position in the file, matched row) pairs packed in longs and sorted by
     * position.
     */
    long[][] byFile(int fileCount) {
      int[] perFile = new int[fileCount];
      for (int m = 0; m < matched; m++) {
        perFile[files[m]]++;
      }
      long[][] byFile = new long[fileCount][];
      for (int f = 0; f < fileCount; f++) {
        byFile[f] = new long[perFile[f]];
      }
      int[] filled = new int[fileCount];
      for (int m = 0; m < matched; m++) {
        int f = files[m];
        byFile[f][filled[f]++] = ((long) positions[m] << 32) | m;
      }
      for (long[] pairs : byFile) {
        Arrays.sort(pairs);
      }
      return byFile;
    }
  }

  /** The pass ({@code 0 .. passes - 1}) of a key, from its prefix or its bytes' hash: spread evenly. */
  static int passOf(long key, int passes) {
    return passes == 1 ? 0 : (int) (((key * 0x9E3779B97F4A7C15L) >>> 33) % passes);
  }

  /** The positions of {@code pairs} ({@link KeyPasses#byFile}), in order. */
  private static int[] positionsOf(long[] pairs) {
    int[] positions = new int[pairs.length];
    for (int i = 0; i < pairs.length; i++) {
      positions[i] = (int) (pairs[i] >>> 32);
    }
    return positions;
  }

  /**
   * The second pass when the values do not fit: every match as a {@link Match} of its entity row into {@code
   * sorter}, which returns them by entity row. A view row matched by several entity rows is read once.
   */
  private static Iterator<Match> spillMatchedValues(ViewRowReader reader, List<DataFile> files, long[][] byFile,
      int rowCount, int[] matchOf, ExternalSorter<Match> sorter) {
    // the entity rows of each view row, grouped: entities[first[r] .. first[r + 1]) matched row r
    int[] first = new int[rowCount + 1];
    for (int row : matchOf) {
      if (row >= 0) {
        first[row + 1]++;
      }
    }
    for (int r = 0; r < rowCount; r++) {
      first[r + 1] += first[r];
    }
    int[] entities = new int[first[rowCount]];
    int[] filled = Arrays.copyOf(first, rowCount);
    for (int entity = 0; entity < matchOf.length; entity++) {
      if (matchOf[entity] >= 0) {
        entities[filled[matchOf[entity]]++] = entity;
      }
    }
    for (int f = 0; f < byFile.length; f++) {
      long[] pairs = byFile[f];
      int[] next = {0};
      reader.readValues(files.get(f), positionsOf(pairs), values -> {
        int row = (int) pairs[next[0]++];
        for (int i = first[row]; i < first[row + 1]; i++) {
          sorter.add(new Match(entities[i], values));
        }
      });
    }
    return sorter.sorted();
  }

  /**
   * The feature values of every row some entity row matched ({@link MatchedValues}): each file read once, only for
   * its matched positions, in ascending order, the matched rows numbered in that order. Then turns {@code matchOf}
   * (entity row to view row) into entity row to matched row. Throws {@link OverShare} past {@code shareBytes},
   * before changing {@code matchOf}.
   */
  private static MatchedValues readMatchedValues(ViewRowReader reader, List<DataFile> files, long[][] byFile,
      int rowCount, ValueType[] types, int[] matchOf, long shareBytes) {
    int matched = Math.toIntExact(Arrays.stream(byFile).mapToLong(pairs -> pairs.length).sum());
    // the matched row of each view row, and the columns' arrays
    long fixed = 4L * rowCount + MatchedValues.fixedBytes(types, matched);
    // (the values of a row side by side in arrays indexed by int)
    if (fixed > shareBytes || (long) matched * (types.length + 1) > Integer.MAX_VALUE - 8) {
      throw new OverShare();
    }
    int[] slotOfViewRow = new int[rowCount];
    MatchedValues values = new MatchedValues(types, matched);
    int slot = 0;
    for (int f = 0; f < byFile.length; f++) {
      long[] pairs = byFile[f];
      // the matched rows of this file are numbered on from those of the files before it
      int readBefore = slot;
      for (long pair : pairs) {
        slotOfViewRow[(int) pair] = slot++; // the low half: the row index
      }
      reader.readColumns(files.get(f), positionsOf(pairs), readBefore, values, () -> {
        // past the first rows, what all matched rows would take at the size so far: so that a join whose values
        // will not fit gives up at once, not after filling its share
        long held = values.heapBytes() + 4L * rowCount;
        long variable = held - fixed;
        long expected = readBefore < ESTIMATE_AFTER_ROWS ? held : fixed + variable / readBefore * matched;
        if (Math.max(held, expected) > shareBytes) {
          throw new OverShare();
        }
      });
    }
    for (int row = 0; row < matchOf.length; row++) {
      matchOf[row] = matchOf[row] < 0 ? -1 : slotOfViewRow[matchOf[row]];
    }
    return values;
  }
}
