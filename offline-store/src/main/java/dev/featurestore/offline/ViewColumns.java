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
  private final SortKeys keys;
  private long[] events = new long[1024];
  private long[] created = new long[1024];
  private long[] sequences = new long[1024];
  private int[] files = new int[1024];
  private int[] positions = new int[1024];
  private long keyBytes;
  private boolean sorted;

  ViewColumns(ValueType[] keyTypes) {
    this.keys = new SortKeys(keyTypes);
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
    return (long) keys.capacity() * (keys.bytesPerSlot() + 3 * 8 + 2 * 4) + keyBytes;
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
