package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.util.Arrays;

/**
 * Growable columns of the (key, time) pairs one side of the in-memory as-of join sorts by, and their sort in place:
 * by key ({@link JoinRows#compareKeys}, the order the spilling path sorts by), then time.
 *
 * <p>Why columns: a row is a few longs in arrays instead of an object with a header, and the sort compares
 * primitives in place. Keys of at most 8 bytes of fixed length (INT32 and INT64 keys) are their prefix alone, so
 * no key bytes are kept for them at all.
 */
final class SortKeys {
  private static final int INSERTION_SORT_BELOW = 24;
  /**
   * From this many rows, keys that are their prefix alone are radix sorted: at a view's millions of rows the
   * introsort's comparisons were a fifth of the join's CPU.
   */
  private static final int RADIX_SORT_FROM = 1 << 14;

  private final boolean prefixOnly;
  /** The length of every key when {@link #prefixOnly}. */
  private final int fixedLength;
  private long[] prefixes;
  private byte[][] keys;
  private long[] times;
  private int size;
  private boolean sorted;
  /** While {@link #sort} runs: the added index of each row. */
  private int[] ids;

  /** @param keyTypes the types of the join key's values, which decide whether the prefix alone is the key */
  SortKeys(ValueType[] keyTypes) {
    this(keyTypes, 1024);
  }

  /** Keys with room for {@code capacity} rows before the arrays grow. */
  SortKeys(ValueType[] keyTypes, int capacity) {
    this.prefixOnly = isPrefixOnly(keyTypes);
    this.fixedLength =
        prefixOnly ? Arrays.stream(keyTypes).mapToInt(type -> type == ValueType.INT32 ? 4 : 8).sum() : -1;
    this.prefixes = new long[capacity];
    this.times = new long[capacity];
    this.keys = prefixOnly ? null : new byte[capacity][];
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
    return append(JoinRows.prefixOf(key), key, time);
  }

  /**
   * Appends a row of a key that is its prefix alone ({@link #isPrefixOnly}), given as {@link JoinRows#prefixOf} its
   * bytes; returns its index.
   */
  int addPrefix(long prefix, long time) {
    if (!prefixOnly) {
      throw new IllegalStateException("Cannot add a key by its prefix: these keys are longer than their prefix");
    }
    return append(prefix, null, time);
  }

  private int append(long prefix, byte[] key, long time) {
    if (sorted) {
      throw new IllegalStateException("Cannot add a key after sorting");
    }
    if (size == prefixes.length) {
      int capacity = Math.max(16, size + (size >> 1));
      prefixes = Arrays.copyOf(prefixes, capacity);
      times = Arrays.copyOf(times, capacity);
      if (keys != null) {
        keys = Arrays.copyOf(keys, capacity);
      }
    }
    prefixes[size] = prefix;
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
    return slotBytes(prefixOnly);
  }

  /** {@link #bytesPerSlot} of keys of these types, before any are added. */
  static long bytesPerSlot(ValueType[] keyTypes) {
    return slotBytes(isPrefixOnly(keyTypes));
  }

  private static long slotBytes(boolean prefixOnly) {
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

  /**
   * Sorts the rows by (key, time) in place, among equal rows in no particular order, and returns the permutation:
   * {@code ids[i]} is the index at which the row now at {@code i} was added, so that the caller can reorder its
   * own columns alike. After it, {@link #prefix}, {@link #key} and {@link #time} take sorted indices and no row can
   * be added.
   *
   * <p>Why in place: the rows' keys and times are compared where they lie, in order, instead of through an index
   * array into them (which made the sort a fifth of the join's time, mostly waiting for memory), and no scratch
   * array is needed.
   */
  int[] sort() {
    if (prefixOnly && size >= RADIX_SORT_FROM) {
      return sortByRadix();
    }
    return sort(2 * (32 - Integer.numberOfLeadingZeros(Math.max(1, size))));
  }

  /**
   * {@link #sort()} by a least-significant-byte-first radix sort, for keys that are their prefix alone (at any size,
   * for tests): a stable counting pass per byte of the time (its sign bit flipped, for signed order), then per byte
   * of the prefix (unsigned); a byte all rows share is skipped. It takes scratch arrays as large as the rows'
   * prefixes, times and ids, as the caller's reordering of its own columns after the sort does.
   */
  int[] sortByRadix() {
    if (!prefixOnly) {
      throw new IllegalStateException("Cannot radix sort keys longer than their prefix");
    }
    if (sorted) {
      throw new IllegalStateException("Cannot sort keys twice");
    }
    sorted = true;
    int n = size;
    long[] prefix = prefixes;
    long[] time = times;
    int[] id = new int[n];
    for (int i = 0; i < n; i++) {
      id[i] = i;
    }
    long[] prefixTo = new long[n];
    long[] timeTo = new long[n];
    int[] idTo = new int[n];
    // the counts of every byte of both, in one read: passes 0-7 the time's bytes, 8-15 the prefix's
    int[][] starts = new int[16][256];
    for (int i = 0; i < n; i++) {
      long t = time[i] ^ Long.MIN_VALUE;
      long p = prefix[i];
      for (int b = 0; b < 8; b++) {
        starts[b][(int) ((t >>> (8 * b)) & 0xff)]++;
        starts[8 + b][(int) ((p >>> (8 * b)) & 0xff)]++;
      }
    }
    for (int pass = 0; pass < 16; pass++) {
      boolean byTime = pass < 8;
      long flip = byTime ? Long.MIN_VALUE : 0;
      int shift = 8 * (pass & 7);
      int[] start = starts[pass];
      if (n == 0 || start[(int) ((((byTime ? time : prefix)[0] ^ flip) >>> shift) & 0xff)] == n) {
        continue; // every row has this byte: the pass would move none
      }
      for (int b = 0, at = 0; b < 256; b++) {
        int count = start[b];
        start[b] = at;
        at += count;
      }
      long[] digits = byTime ? time : prefix;
      for (int i = 0; i < n; i++) {
        int to = start[(int) (((digits[i] ^ flip) >>> shift) & 0xff)]++;
        prefixTo[to] = prefix[i];
        timeTo[to] = time[i];
        idTo[to] = id[i];
      }
      long[] swapLongs = prefix;
      prefix = prefixTo;
      prefixTo = swapLongs;
      swapLongs = time;
      time = timeTo;
      timeTo = swapLongs;
      int[] swapInts = id;
      id = idTo;
      idTo = swapInts;
    }
    prefixes = prefix;
    times = time;
    return id;
  }

  /** {@link #sort()} with quicksort's depth limit given: 0 heapsorts at once (for tests of that path). */
  int[] sort(int depthLimit) {
    if (sorted) {
      throw new IllegalStateException("Cannot sort keys twice");
    }
    sorted = true;
    ids = new int[size];
    for (int i = 0; i < size; i++) {
      ids[i] = i;
    }
    // introsort: quicksort, heapsort past a depth of 2 log n (no quadratic case), insertion sort for short ranges
    quicksort(0, size, depthLimit);
    int[] result = ids;
    ids = null;
    return result;
  }

  /** A caller's column in the order {@link #sort} returned: {@code column[ids[i]]} at {@code i}. */
  static long[] reorder(long[] column, int[] ids) {
    long[] sortedColumn = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      sortedColumn[i] = column[ids[i]];
    }
    return sortedColumn;
  }

  /** {@link #reorder(long[], int[])} of an int column. */
  static int[] reorder(int[] column, int[] ids) {
    int[] sortedColumn = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      sortedColumn[i] = column[ids[i]];
    }
    return sortedColumn;
  }

  private void quicksort(int from, int to, int depth) {
    while (to - from > INSERTION_SORT_BELOW) {
      if (depth-- == 0) {
        heapsort(from, to);
        return;
      }
      int split = partition(from, to);
      // recurse into the smaller side, loop on the larger: the stack stays within log n frames
      if (split - from < to - split) {
        quicksort(from, split, depth);
        from = split;
      } else {
        quicksort(split, to, depth);
        to = split;
      }
    }
    for (int i = from + 1; i < to; i++) {
      for (int j = i; j > from && compare(j - 1, j) > 0; j--) {
        swap(j - 1, j);
      }
    }
  }

  /**
   * Hoare's partition of {@code [from, to)} around the median of its first, middle and last rows; returns a split
   * strictly inside the range with no row before it greater, and none from it on smaller, than the pivot.
   */
  private int partition(int from, int to) {
    int last = to - 1;
    int middle = (from + last) >>> 1;
    if (compare(middle, from) < 0) {
      swap(middle, from);
    }
    if (compare(last, middle) < 0) {
      swap(last, middle);
      if (compare(middle, from) < 0) {
        swap(middle, from);
      }
    }
    long pivotPrefix = prefixes[middle];
    byte[] pivotKey = keys == null ? null : keys[middle];
    long pivotTime = times[middle];
    int i = from - 1;
    int j = to;
    while (true) {
      do {
        i++;
      } while (compareTo(i, pivotPrefix, pivotKey, pivotTime) < 0);
      do {
        j--;
      } while (compareTo(j, pivotPrefix, pivotKey, pivotTime) > 0);
      if (i >= j) {
        return j + 1;
      }
      swap(i, j);
    }
  }

  private void heapsort(int from, int to) {
    int n = to - from;
    for (int i = n / 2 - 1; i >= 0; i--) {
      siftDown(from, i, n);
    }
    for (int end = n - 1; end > 0; end--) {
      swap(from, from + end);
      siftDown(from, 0, end);
    }
  }

  private void siftDown(int from, int i, int n) {
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) {
        return;
      }
      if (child + 1 < n && compare(from + child + 1, from + child) > 0) {
        child++;
      }
      if (compare(from + i, from + child) >= 0) {
        return;
      }
      swap(from + i, from + child);
      i = child;
    }
  }

  private int compare(int a, int b) {
    return compareTo(a, prefixes[b], keys == null ? null : keys[b], times[b]);
  }

  /** Row {@code a} against a (prefix, key, time); {@code key} is null when the prefix alone is the key. */
  private int compareTo(int a, long prefix, byte[] key, long time) {
    int byPrefix = Long.compareUnsigned(prefixes[a], prefix);
    if (byPrefix != 0) {
      return byPrefix;
    }
    if (!prefixOnly) {
      int byKey = JoinRows.compareKeys(prefixes[a], keys[a], prefix, key);
      if (byKey != 0) {
        return byKey;
      }
    }
    return Long.compare(times[a], time);
  }

  private void swap(int a, int b) {
    long prefix = prefixes[a];
    prefixes[a] = prefixes[b];
    prefixes[b] = prefix;
    long time = times[a];
    times[a] = times[b];
    times[b] = time;
    int id = ids[a];
    ids[a] = ids[b];
    ids[b] = id;
    if (keys != null) {
      byte[] key = keys[a];
      keys[a] = keys[b];
      keys[b] = key;
    }
  }
}
