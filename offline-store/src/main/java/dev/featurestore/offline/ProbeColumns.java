package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.util.Arrays;

/**
 * One view's probes (entity rows as its join sees them: key, time, input position) in columns, for the in-memory
 * join; {@link JoinRows.Probe} objects in an {@link ExternalSorter} are the spilling form of the same.
 */
final class ProbeColumns {
  private final SortKeys keys;
  private int[] positions = new int[1024];
  private long keyBytes;
  private boolean sorted;

  ProbeColumns(ValueType[] keyTypes) {
    this.keys = new SortKeys(keyTypes);
  }

  void add(byte[] key, long t, int position) {
    int row = keys.add(key, t);
    place(row, position);
    if (keys.key(row) != null) {
      keyBytes += 16 + key.length;
    }
  }

  /** Adds a probe of a key that is its prefix alone ({@link SortKeys#addPrefix}): no key bytes are held. */
  void addPrefix(long prefix, long t, int position) {
    place(keys.addPrefix(prefix, t), position);
  }

  private void place(int row, int position) {
    if (row == positions.length) {
      positions = Arrays.copyOf(positions, keys.capacity());
    }
    positions[row] = position;
  }

  /** Estimated heap bytes, growth slack included. */
  long heapBytes() {
    return (long) keys.capacity() * (keys.bytesPerSlot() + 4) + keyBytes;
  }

  int size() {
    return keys.size();
  }

  SortKeys keys() {
    return keys;
  }

  /**
   * Sorts the probes by (key, t) in place ({@link SortKeys#sort}); indices taken after it are sorted ones. Sorting
   * sorted probes does nothing.
   */
  void sort() {
    if (sorted) {
      return;
    }
    sorted = true;
    positions = SortKeys.reorder(positions, keys.sort());
  }

  int position(int row) {
    return positions[row];
  }

  /** The probe at {@code row} as the spilling path's record. */
  JoinRows.Probe toProbe(int row) {
    return new JoinRows.Probe(keys.keyBytes(row), keys.prefix(row), keys.time(row), positions[row]);
  }
}
