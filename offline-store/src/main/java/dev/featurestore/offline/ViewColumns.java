package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.util.Arrays;

/**
 * One view's scanned rows in columns, for the in-memory join: key and eligible time ({@link SortKeys}), the
 * tie-breaking fields and each row's feature values. {@link JoinRows.ViewRow} objects in an {@link ExternalSorter}
 * are the spilling form of the same.
 */
final class ViewColumns {
  private final SortKeys keys;
  private long[] events = new long[1024];
  private long[] created = new long[1024];
  private long[] sequences = new long[1024];
  private long[] positions = new long[1024];
  private Object[][] values = new Object[1024][];
  private long variableBytes;

  ViewColumns(ValueType[] keyTypes) {
    this.keys = new SortKeys(keyTypes);
  }

  void add(byte[] key, long eligible, long event, long createdMicros, long sequence, long position, Object[] row) {
    int at = keys.add(key, eligible);
    if (at == events.length) {
      int capacity = keys.capacity();
      events = Arrays.copyOf(events, capacity);
      created = Arrays.copyOf(created, capacity);
      sequences = Arrays.copyOf(sequences, capacity);
      positions = Arrays.copyOf(positions, capacity);
      values = Arrays.copyOf(values, capacity);
    }
    events[at] = event;
    created[at] = createdMicros;
    sequences[at] = sequence;
    positions[at] = position;
    values[at] = row;
    variableBytes += ValueCodec.heapBytes(row) + (keys.key(at) != null ? 16 + key.length : 0);
  }

  /**
   * Sorts the rows by (key, eligible time) in place ({@link SortKeys#sort}), each column reordered alike (one
   * at a time, so the sort needs one column's worth of memory more); indices taken after it are sorted ones.
   */
  void sort() {
    int[] ids = keys.sort();
    events = gather(events, ids);
    created = gather(created, ids);
    sequences = gather(sequences, ids);
    positions = gather(positions, ids);
    Object[][] sortedValues = new Object[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      sortedValues[i] = values[ids[i]];
    }
    values = sortedValues;
  }

  private static long[] gather(long[] column, int[] ids) {
    long[] sorted = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      sorted[i] = column[ids[i]];
    }
    return sorted;
  }

  /** Estimated heap bytes, growth slack included. */
  long heapBytes() {
    return (long) keys.capacity() * (keys.bytesPerSlot() + 4 * 8 + 8) + variableBytes;
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

  Object[] values(int row) {
    return values[row];
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
    return c != 0 ? c : Long.compare(positions[a], positions[b]);
  }

  /** The row at {@code row} as the spilling path's record. */
  JoinRows.ViewRow toViewRow(int row) {
    return new JoinRows.ViewRow(keys.keyBytes(row), keys.prefix(row), keys.time(row), events[row], created[row],
        sequences[row], positions[row], values[row]);
  }
}
