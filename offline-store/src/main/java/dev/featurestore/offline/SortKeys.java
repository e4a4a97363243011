package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.util.Arrays;

/**
 * Growable columns of the (key, time) pairs one side of the in-memory as-of join sorts by, and their sort: an
 * index array ordered by key ({@link JoinRows#compareKeys}, the order the spilling path sorts by), then time.
 *
 * <p>Why columns: a row is a few longs in arrays instead of an object with a header, and the sort compares
 * primitives in place. Keys of at most 8 bytes of fixed length (INT32 and INT64 keys) are their prefix alone, so
 * no key bytes are kept for them at all.
 */
final class SortKeys {
  private static final int INSERTION_SORT_BELOW = 24;

  private final boolean prefixOnly;
  /** The length of every key when {@link #prefixOnly}. */
  private final int fixedLength;
  private long[] prefixes = new long[1024];
  private byte[][] keys;
  private long[] times = new long[1024];
  private int size;

  /** @param keyTypes the types of the join key's values, which decide whether the prefix alone is the key */
  SortKeys(ValueType[] keyTypes) {
    this.prefixOnly = isPrefixOnly(keyTypes);
    this.fixedLength =
        prefixOnly ? Arrays.stream(keyTypes).mapToInt(type -> type == ValueType.INT32 ? 4 : 8).sum() : -1;
    this.keys = prefixOnly ? null : new byte[1024][];
  }

  /** True when every key of these types is at most 8 bytes long and all are equally long. */
  static boolean isPrefixOnly(ValueType[] keyTypes) {
    int bytes = 0;
    for (ValueType type : keyTypes) {
      switch (type) {
        case INT32 -> bytes += 4;
        case INT64, TIMESTAMP -> bytes += 8;
        default -> {
          return false;
        }
      }
    }
    return bytes <= 8;
  }

  /** Appends a row; returns its index. */
  int add(byte[] key, long time) {
    if (size == prefixes.length) {
      int capacity = Math.max(16, size + (size >> 1));
      prefixes = Arrays.copyOf(prefixes, capacity);
      times = Arrays.copyOf(times, capacity);
      if (keys != null) {
        keys = Arrays.copyOf(keys, capacity);
      }
    }
    prefixes[size] = JoinRows.prefixOf(key);
    if (keys != null) {
      keys[size] = key;
    }
    times[size] = time;
    return size++;
  }

  int size() {
    return size;
  }

  /** The arrays' capacity: what they take on the heap, for the memory budget. */
  int capacity() {
    return prefixes.length;
  }

  /** Heap bytes per row of capacity, besides the key bytes: prefix, time and a key reference. */
  long bytesPerSlot() {
    return prefixOnly ? 16 : 24;
  }

  long prefix(int row) {
    return prefixes[row];
  }

  /** The key bytes of {@code row}, null when the prefix alone is the key. */
  byte[] key(int row) {
    return keys == null ? null : keys[row];
  }

  /** The key bytes of {@code row}, rebuilt from the prefix when only that is kept (for the spilling path). */
  byte[] keyBytes(int row) {
    if (keys != null) {
      return keys[row];
    }
    byte[] key = new byte[fixedLength];
    for (int i = 0; i < fixedLength; i++) {
      key[i] = (byte) (prefixes[row] >>> (56 - 8 * i));
    }
    return key;
  }

  long time(int row) {
    return times[row];
  }

  /** Key order of row {@code a} against row {@code b} of {@code other} (of the same key types). */
  static int compareKeys(SortKeys one, int a, SortKeys other, int b) {
    int byPrefix = Long.compareUnsigned(one.prefixes[a], other.prefixes[b]);
    if (byPrefix != 0 || one.prefixOnly) {
      return byPrefix;
    }
    return JoinRows.compareKeys(one.prefixes[a], one.keys[a], other.prefixes[b], other.keys[b]);
  }

  /** The rows' indices in (key, time) order; among equal rows in no particular order. */
  int[] sortedOrder() {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    int[] scratch = new int[size];
    sort(order, scratch, 0, size);
    return order;
  }

  private int compare(int a, int b) {
    int byPrefix = Long.compareUnsigned(prefixes[a], prefixes[b]);
    if (byPrefix != 0) {
      return byPrefix;
    }
    if (!prefixOnly) {
      int byKey = JoinRows.compareKeys(prefixes[a], keys[a], prefixes[b], keys[b]);
      if (byKey != 0) {
        return byKey;
      }
    }
    return Long.compare(times[a], times[b]);
  }

  /** Merge sort of {@code order[from, to)}: n log n whatever the input, with {@code scratch} as the buffer. */
  private void sort(int[] order, int[] scratch, int from, int to) {
    if (to - from < INSERTION_SORT_BELOW) {
      for (int i = from + 1; i < to; i++) {
        int row = order[i];
        int j = i - 1;
        while (j >= from && compare(order[j], row) > 0) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = row;
      }
      return;
    }
    int middle = (from + to) >>> 1;
    sort(order, scratch, from, middle);
    sort(order, scratch, middle, to);
    if (compare(order[middle - 1], order[middle]) <= 0) {
      return; // already in order: common when rows arrive sorted by time within a key
    }
    System.arraycopy(order, from, scratch, from, to - from);
    int left = from;
    int right = middle;
    for (int out = from; out < to; out++) {
      if (right >= to || (left < middle && compare(scratch[left], scratch[right]) <= 0)) {
        order[out] = scratch[left++];
      } else {
        order[out] = scratch[right++];
      }
    }
  }
}
