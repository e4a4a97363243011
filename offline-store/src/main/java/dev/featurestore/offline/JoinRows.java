package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The three kinds of records the sort-merge as-of join sorts, with their orders and spill codecs: entity rows as
 * probes, view rows, and matches (a probe's feature values).
 */
final class JoinRows {
  private JoinRows() {}

  /**
   * An entity row as the join of one view sees it: its key bytes, its time and its position in the input.
   * {@code prefix} is {@link #prefixOf} the key.
   */
  record Probe(byte[] key, long prefix, long t, long position) {
    Probe(byte[] key, long t, long position) {
      this(key, prefixOf(key), t, position);
    }
  }

  /**
   * A row of a view: key bytes, when it becomes visible to a probe ({@code eligible}: its event timestamp, or the
   * later of event and created timestamp as known at), the tie-breaking fields and the feature values.
   */
  record ViewRow(byte[] key, long prefix, long eligible, long event, long created, long sequence, long position,
      Object[] values) {
    ViewRow(byte[] key, long eligible, long event, long created, long sequence, long position, Object[] values) {
      this(key, prefixOf(key), eligible, event, created, sequence, position, values);
    }
  }

  /** The feature values of one view for the entity row at {@code position}. */
  record Match(long position, Object[] values) {}

  private static final VarHandle LONG_BIG_ENDIAN = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /** Whether a key of these types is one INT64 or INT32 column, whose prefix {@link #prefixOfInteger} gives. */
  static boolean isIntegerKey(ValueType... keyTypes) {
    return keyTypes.length == 1 && (keyTypes[0] == ValueType.INT64 || keyTypes[0] == ValueType.INT32);
  }

  /**
   * {@link #prefixOf} the key bytes ({@link ValueCodec#key}) of a key of one INT64 or INT32 column, without
   * building them: the value's big-endian bytes, an INT32's followed by four zero bytes.
   */
  static long prefixOfInteger(long value, dev.featurestore.api.ValueType type) {
    return switch (type) {
      case INT64 -> value;
      case INT32 -> ((long) (int) value) << 32;
      default -> throw new IllegalArgumentException("Cannot take the prefix of a " + type + " key as an integer");
    };
  }

  /**
   * The first 8 bytes of a key as an unsigned number (zero-padded): comparing prefixes first, then the bytes only
   * when they tie, is the order of {@link Arrays#compareUnsigned} but spares most byte-array comparisons, and all of
   * them for keys of at most 8 bytes (a single INT64 or INT32 key).
   */
  static long prefixOf(byte[] key) {
    if (key.length >= 8) {
      return (long) LONG_BIG_ENDIAN.get(key, 0);
    }
    long prefix = 0;
    for (int i = 0; i < 8; i++) {
      prefix = (prefix << 8) | (i < key.length ? key[i] & 0xFF : 0);
    }
    return prefix;
  }

  /** Key order: {@link Arrays#compareUnsigned} of the key bytes, fast for short keys. */
  static int compareKeys(long prefixA, byte[] a, long prefixB, byte[] b) {
    int byPrefix = Long.compareUnsigned(prefixA, prefixB);
    if (byPrefix != 0) {
      return byPrefix;
    }
    // equal zero-padded prefixes: for keys of at most 8 bytes the shorter one is a prefix of the other
    return a.length <= 8 && b.length <= 8 ? Integer.compare(a.length, b.length) : Arrays.compareUnsigned(a, b);
  }

  /** Probes by key, then time (and, the sort being stable, input position). */
  static final Comparator<Probe> PROBE_ORDER = (a, b) -> {
    int byKey = compareKeys(a.prefix(), a.key(), b.prefix(), b.key());
    return byKey != 0 ? byKey : Long.compare(a.t(), b.t());
  };

  /** View rows by key, then by when they become visible. */
  static final Comparator<ViewRow> VIEW_ROW_ORDER = (a, b) -> {
    int byKey = compareKeys(a.prefix(), a.key(), b.prefix(), b.key());
    return byKey != 0 ? byKey : Long.compare(a.eligible(), b.eligible());
  };

  /** DESIGN.md's rule: larger event timestamp, then larger created timestamp, then the later write. */
  static final Comparator<ViewRow> NEWEST_LAST = Comparator.comparingLong(ViewRow::event)
      .thenComparingLong(ViewRow::created)
      .thenComparingLong(ViewRow::sequence)
      .thenComparingLong(ViewRow::position);

  static final Comparator<Match> MATCH_ORDER = Comparator.comparingLong(Match::position);

  static final SpillCodec<Probe> PROBE_CODEC = new SpillCodec<>() {
    @Override
    public void write(DataOutput out, Probe probe) throws IOException {
      ValueCodec.writeBytes(out, probe.key());
      out.writeLong(probe.t());
      out.writeLong(probe.position());
    }

    @Override
    public Probe read(DataInput in) throws IOException {
      return new Probe(ValueCodec.readBytes(in), in.readLong(), in.readLong());
    }

    @Override
    public long heapBytes(Probe probe) {
      return 32 + 16 + probe.key().length;
    }
  };

  static SpillCodec<ViewRow> viewRowCodec(ValueType[] types) {
    return new SpillCodec<>() {
      @Override
      public void write(DataOutput out, ViewRow row) throws IOException {
        ValueCodec.writeBytes(out, row.key());
        out.writeLong(row.eligible());
        out.writeLong(row.event());
        out.writeLong(row.created());
        out.writeLong(row.sequence());
        out.writeLong(row.position());
        ValueCodec.writeValues(out, row.values(), types);
      }

      @Override
      public ViewRow read(DataInput in) throws IOException {
        return new ViewRow(ValueCodec.readBytes(in), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
            in.readLong(), ValueCodec.readValues(in, types));
      }

      @Override
      public long heapBytes(ViewRow row) {
        return 64 + 16 + row.key().length + ValueCodec.heapBytes(row.values());
      }
    };
  }

  static SpillCodec<Match> matchCodec(ValueType[] types) {
    return new SpillCodec<>() {
      @Override
      public void write(DataOutput out, Match match) throws IOException {
        out.writeLong(match.position());
        ValueCodec.writeValues(out, match.values(), types);
      }

      @Override
      public Match read(DataInput in) throws IOException {
        return new Match(in.readLong(), ValueCodec.readValues(in, types));
      }

      @Override
      public long heapBytes(Match match) {
        // the values array is shared with the view row it came from, which is gone by then
        return 24 + ValueCodec.heapBytes(match.values());
      }
    };
  }
}
