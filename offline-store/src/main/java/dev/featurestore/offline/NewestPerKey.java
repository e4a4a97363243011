package dev.featurestore.offline;

import dev.featurestore.api.data.EntityKey;
import java.util.Arrays;

/**
 * Which row is the newest of each key, among rows offered by where they are (file index, position in the file) and
 * their two timestamps: the first pass of materialization, before any feature value is decoded. Everything lives in
 * primitive arrays (one open-addressing index over dense per-key arrays), so a few million rows leave no object per
 * row behind for the garbage collector to copy; a key of one integer column is kept as a {@code long}, other keys
 * as {@link EntityKey}s.
 *
 * <p>The order is the point-in-time order of DESIGN.md: the larger event timestamp wins, then the larger created
 * timestamp, then the later write (the file's Iceberg data sequence number, then the position in the file). Of two
 * rows equal in all of these (same commit, same position in two files of it), the file with the smaller index wins,
 * as reading the files one by one in index order would give. Not thread-safe: one per reading thread, merged with
 * {@link #mergeFrom}.
 */
final class NewestPerKey {
  private static final int EMPTY = -1;

  /** The data sequence number of each file index. */
  private final long[] sequences;
  private final boolean longKeys;
  /** Open-addressing index: the entry of a slot, or {@link #EMPTY}; its length is a power of two. */
  private int[] slots;
  private long[] longKeyOf;
  private EntityKey[] keyOf;
  private long[] eventOf;
  private long[] createdOf;
  private int[] fileOf;
  private int[] positionOf;
  private int size;
  private long scanned;

  private NewestPerKey(long[] sequences, boolean longKeys) {
    this.sequences = sequences;
    this.longKeys = longKeys;
    this.slots = new int[1024];
    Arrays.fill(slots, EMPTY);
    int capacity = slots.length / 2;
    if (longKeys) {
      longKeyOf = new long[capacity];
    } else {
      keyOf = new EntityKey[capacity];
    }
    eventOf = new long[capacity];
    createdOf = new long[capacity];
    fileOf = new int[capacity];
    positionOf = new int[capacity];
  }

  /** For keys of one integer column, offered with {@link #offer(long, long, long, int, int)}. */
  static NewestPerKey ofLongKeys(long[] sequences) {
    return new NewestPerKey(sequences, true);
  }

  /** For any keys, offered with {@link #offer(EntityKey, long, long, int, int)}. */
  static NewestPerKey ofEntityKeys(long[] sequences) {
    return new NewestPerKey(sequences, false);
  }

  /** Counts a row and keeps it if it is newer than the row its key holds. */
  void offer(long key, long event, long created, int file, int position) {
    scanned++;
    int mask = slots.length - 1;
    for (int slot = mix(Long.hashCode(key)) & mask; ; slot = (slot + 1) & mask) {
      int entry = slots[slot];
      if (entry == EMPTY) {
        slots[slot] = add(event, created, file, position);
        longKeyOf[size - 1] = key;
        growIfFull();
        return;
      }
      if (longKeyOf[entry] == key) {
        keepNewer(entry, event, created, file, position);
        return;
      }
    }
  }

  /** Counts a row and keeps it if it is newer than the row its key holds. */
  void offer(EntityKey key, long event, long created, int file, int position) {
    scanned++;
    int mask = slots.length - 1;
    for (int slot = mix(key.hashCode()) & mask; ; slot = (slot + 1) & mask) {
      int entry = slots[slot];
      if (entry == EMPTY) {
        slots[slot] = add(event, created, file, position);
        keyOf[size - 1] = key;
        growIfFull();
        return;
      }
      if (keyOf[entry].equals(key)) {
        keepNewer(entry, event, created, file, position);
        return;
      }
    }
  }

  /** Adds the keys and counts of {@code other} (read from other files of the same list) to these; returns this. */
  NewestPerKey mergeFrom(NewestPerKey other) {
    long counted = scanned + other.scanned;
    for (int e = 0; e < other.size; e++) {
      if (longKeys) {
        offer(other.longKeyOf[e], other.eventOf[e], other.createdOf[e], other.fileOf[e], other.positionOf[e]);
      } else {
        offer(other.keyOf[e], other.eventOf[e], other.createdOf[e], other.fileOf[e], other.positionOf[e]);
      }
    }
    scanned = counted;
    return this;
  }

  /** Rows offered. */
  long scanned() {
    return scanned;
  }

  /** Distinct keys offered: the rows kept. */
  int size() {
    return size;
  }

  /** The positions of the rows kept in each of the first {@code files} file indexes, ascending; empty for none. */
  int[][] positionsByFile(int files) {
    int[] counts = new int[files];
    for (int e = 0; e < size; e++) {
      counts[fileOf[e]]++;
    }
    int[][] positions = new int[files][];
    for (int f = 0; f < files; f++) {
      positions[f] = new int[counts[f]];
      counts[f] = 0;
    }
    for (int e = 0; e < size; e++) {
      int file = fileOf[e];
      positions[file][counts[file]++] = positionOf[e];
    }
    for (int[] ofFile : positions) {
      Arrays.sort(ofFile);
    }
    return positions;
  }

  private void keepNewer(int entry, long event, long created, int file, int position) {
    if (isNewer(event, created, file, position, entry)) {
      eventOf[entry] = event;
      createdOf[entry] = created;
      fileOf[entry] = file;
      positionOf[entry] = position;
    }
  }

  private boolean isNewer(long event, long created, int file, int position, int entry) {
    if (event != eventOf[entry]) {
      return event > eventOf[entry];
    }
    if (created != createdOf[entry]) {
      return created > createdOf[entry];
    }
    long sequence = sequences[file];
    long heldSequence = sequences[fileOf[entry]];
    if (sequence != heldSequence) {
      return sequence > heldSequence;
    }
    // one commit: the later position wins, and of equal positions (two files) the file listed first
    return position != positionOf[entry] ? position > positionOf[entry] : file < fileOf[entry];
  }

  /** Appends an entry; returns its index. */
  private int add(long event, long created, int file, int position) {
    if (size == eventOf.length) {
      int capacity = size * 2;
      if (longKeys) {
        longKeyOf = Arrays.copyOf(longKeyOf, capacity);
      } else {
        keyOf = Arrays.copyOf(keyOf, capacity);
      }
      eventOf = Arrays.copyOf(eventOf, capacity);
      createdOf = Arrays.copyOf(createdOf, capacity);
      fileOf = Arrays.copyOf(fileOf, capacity);
      positionOf = Arrays.copyOf(positionOf, capacity);
    }
    eventOf[size] = event;
    createdOf[size] = created;
    fileOf[size] = file;
    positionOf[size] = position;
    return size++;
  }

  /** Keeps the index at most half full, so that probe runs stay short. */
  private void growIfFull() {
    if (size * 2 <= slots.length) {
      return;
    }
    int[] grown = new int[slots.length * 2];
    Arrays.fill(grown, EMPTY);
    int mask = grown.length - 1;
    for (int e = 0; e < size; e++) {
      int hash = longKeys ? Long.hashCode(longKeyOf[e]) : keyOf[e].hashCode();
      int slot = mix(hash) & mask;
      while (grown[slot] != EMPTY) {
        slot = (slot + 1) & mask;
      }
      grown[slot] = e;
    }
    slots = grown;
  }

  /** Spreads the bits of a hash (murmur3's finalizer), for keys such as consecutive ids would fill runs of slots. */
  private static int mix(int hash) {
    int h = hash;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
