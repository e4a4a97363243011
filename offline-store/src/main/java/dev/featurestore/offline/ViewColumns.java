package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.util.Arrays;

/**
 * One view's rows in columns, for the in-memory join: key and eligible time ({@link SortKeys}), the fields that
 * break ties between rows of a key, and where each row is (index of its data file in the scan, position in the
 * file), from which the matched rows' feature values are read once the merge has picked them. No value is kept
 * here: most rows match no entity row. {@link JoinRows.ViewRow} objects in an {@link ExternalSorter} are the
 * spilling form of the same, with values.
 */
final class ViewColumns {
  /** The bytes per row of the columns besides the key and time: events, created, sequences, files, positions. */
  private static final int COLUMN_BYTES = 3 * 8 + 2 * 4;

  private final SortKeys keys;
  private long[] events;
  private long[] created;
  private long[] sequences;
  private int[] files;
  private int[] positions;
  private long keyBytes;
  private boolean sorted;

  ViewColumns(ValueType[] keyTypes) {
    this(keyTypes, 1024);
  }

  /** Columns with room for {@code capacity} rows before they grow. */
  ViewColumns(ValueType[] keyTypes, int capacity) {
    this.keys = new SortKeys(keyTypes, capacity);
    events = new long[capacity];
    created = new long[capacity];
    sequences = new long[capacity];
    files = new int[capacity];
    positions = new int[capacity];
  }

  /**
   * About what a row takes on the heap ({@link #heapBytes} per row): exactly for keys that are their prefix alone,
   * else with a guess of the key bytes' length where a key value is a string or bytes.
   */
  static long bytesPerRow(ValueType[] keyTypes) {
    long bytes = SortKeys.bytesPerSlot(keyTypes) + COLUMN_BYTES;
    if (!SortKeys.isPrefixOnly(keyTypes)) {
      bytes += 16; // the key's array header
      for (ValueType type : keyTypes) {
        bytes += switch (type) {
          case INT32 -> 4;
          case INT64, TIMESTAMP -> 8;
          default -> 16;
        };
      }
    }
    return bytes;
  }

  /** Appends a row whose key is {@code key}'s bytes ({@link ValueCodec#key}). */
  void add(byte[] key, long eligible, long event, long createdMicros, long sequence, int file, int position) {
    int at = keys.add(key, eligible);
    if (keys.key(at) != null) {
      keyBytes += 16 + key.length;
    }
    set(at, event, createdMicros, sequence, file, position);
  }

  /**
   * Appends a row whose key is its prefix alone ({@link SortKeys#isPrefixOnly}), given as
   * {@link JoinRows#prefixOf} its bytes: no key bytes are built.
   */
  void addPrefix(long prefix, long eligible, long event, long createdMicros, long sequence, int file, int position) {
    set(keys.addPrefix(prefix, eligible), event, createdMicros, sequence, file, position);
  }

  private void set(int at, long event, long createdMicros, long sequence, int file, int position) {
    if (at == events.length) {
      int capacity = keys.capacity();
      events = Arrays.copyOf(events, capacity);
      created = Arrays.copyOf(created, capacity);
      sequences = Arrays.copyOf(sequences, capacity);
      files = Arrays.copyOf(files, capacity);
      positions = Arrays.copyOf(positions, capacity);
    }
    events[at] = event;
    created[at] = createdMicros;
    sequences[at] = sequence;
    files[at] = file;
    positions[at] = position;
  }

  /**
   * Sorts the rows by (key, eligible time) in place ({@link SortKeys#sort}), each column reordered alike (one at a
   * time, so the sort needs one column's worth of memory more); indices taken after it are sorted ones. Sorting
   * sorted columns does nothing.
   */
  void sort() {
    if (sorted) {
      return;
    }
    sorted = true;
    int[] ids = keys.sort();
    events = SortKeys.reorder(events, ids);
    created = SortKeys.reorder(created, ids);
    sequences = SortKeys.reorder(sequences, ids);
    files = SortKeys.reorder(files, ids);
    positions = SortKeys.reorder(positions, ids);
  }

  /** Estimated heap bytes, growth slack included. */
  long heapBytes() {
    return (long) keys.capacity() * (keys.bytesPerSlot() + COLUMN_BYTES) + keyBytes;
  }

  int size() {
    return keys.size();
  }

  SortKeys keys() {
    return keys;
  }

  long event(int row) {
    return events[row];
  }

  /** The index of the row's data file in the scan. */
  int file(int row) {
    return files[row];
  }

  /** The row's position in its data file. */
  int position(int row) {
    return positions[row];
  }

  /**
   * DESIGN.md's order of two rows of one key ({@link JoinRows#NEWEST_LAST}): larger event timestamp, then larger
   * created timestamp, then the later write.
   */
  int compareNewest(int a, int b) {
    int c = Long.compare(events[a], events[b]);
    if (c == 0) {
      c = Long.compare(created[a], created[b]);
    }
    if (c == 0) {
      c = Long.compare(sequences[a], sequences[b]);
    }
    return c != 0 ? c : Integer.compare(positions[a], positions[b]);
  }
}
