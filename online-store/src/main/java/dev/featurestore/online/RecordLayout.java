package dev.featurestore.online;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The layout of one view definition in stored records ({@link RecordCodec}): its id, the block of names and type
 * tags every record of it carries, and how records written under other layouts map to it. Built once per view
 * definition and shared by all threads.
 */
final class RecordLayout {
  private static final ConcurrentMap<String, RecordLayout> BY_VIEW = new ConcurrentHashMap<>();
  /**
   * Foreign layouts remembered per view at most: one per definition a view has had while its records were live, so
   * a handful; the bound only keeps a stream of garbage records from growing the map.
   */
  private static final int MAPPINGS_KEPT = 64;

  private final FeatureView view;
  private final long id;
  /** The UTF-8 names in declaration order, to match format 1's stored names without decoding them. */
  private final byte[][] names;
  private final byte[] namesBlock;
  /** How records of other layouts, by id, map to this one. */
  private final ConcurrentMap<Long, Mapping> mappings = new ConcurrentHashMap<>();

  private RecordLayout(FeatureView view, byte[][] names, byte[] namesBlock) {
    this.view = view;
    this.names = names;
    this.namesBlock = namesBlock;
    this.id = fnv1a(namesBlock);
  }

  /** The layout of {@code view}'s definition, built on the first call for this definition. */
  static RecordLayout of(FeatureView view) {
    RecordLayout layout = BY_VIEW.get(view.name());
    if (layout == null || layout.view != view) {
      layout = build(view);
      BY_VIEW.put(view.name(), layout);
    }
    return layout;
  }

  private static RecordLayout build(FeatureView view) {
    byte[][] names = new byte[view.features().size()][];
    RecordCodec.Output block = new RecordCodec.Output(16 * names.length);
    for (int i = 0; i < names.length; i++) {
      Feature feature = view.features().get(i);
      names[i] = feature.name().getBytes(StandardCharsets.UTF_8);
      block.writeVarint(names[i].length);
      block.writeRaw(names[i], names[i].length);
      block.writeByte(RecordCodec.tag(feature.type()));
    }
    return new RecordLayout(view, names, block.toByteArray());
  }

  /**
   * The id records carry: a 64-bit FNV-1a hash of the names block, so equal definitions (names and types in the same
   * order) get equal ids in every process and every release. Two different layouts of one view sharing an id is a
   * 1 in 2^64 chance per pair.
   */
  long id() {
    return id;
  }

  /** The names block every record of this layout ends with: per feature, varint name length, name, type tag. */
  byte[] namesBlock() {
    return namesBlock;
  }

  /**
   * How the record {@code record}, of layout {@code id} whose names block starts at {@code namesAt}, maps to this
   * layout; read from the record the first time the id is seen, then remembered.
   */
  Mapping mapping(long id, byte[] record, int namesAt) {
    Mapping known = mappings.get(id);
    if (known != null) {
      return known;
    }
    Mapping mapping = Mapping.read(view, record, namesAt);
    if (mappings.size() >= MAPPINGS_KEPT) {
      mappings.clear();
    }
    mappings.put(id, mapping);
    return mapping;
  }

  /**
   * Format 1's lookup: the position of the name at {@code record[from, from + length)}, trying {@code expected}
   * first (records were written in declaration order, so it almost always matches at once); -1 if none.
   */
  int find(byte[] record, int from, int length, int expected) {
    if (expected < names.length && matches(names[expected], record, from, length)) {
      return expected;
    }
    for (int i = 0; i < names.length; i++) {
      if (matches(names[i], record, from, length)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean matches(byte[] name, byte[] record, int from, int length) {
    return name.length == length && Arrays.equals(name, 0, length, record, from, from + length);
  }

  private static long fnv1a(byte[] bytes) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  /**
   * Where each feature of the current view sits in records of another layout: its stored index (-1 where those
   * records do not hold it) and the type it was stored with. Immutable.
   */
  static final class Mapping {
    private final int[] storedIndex;
    private final ValueType[] storedType;

    private Mapping(int[] storedIndex, ValueType[] storedType) {
      this.storedIndex = storedIndex;
      this.storedType = storedType;
    }

    static Mapping read(FeatureView view, byte[] record, int namesAt) {
      int[] storedIndex = new int[view.features().size()];
      Arrays.fill(storedIndex, -1);
      ValueType[] storedType = new ValueType[storedIndex.length];
      ByteBuffer in = ByteBuffer.wrap(record);
      in.position(namesAt);
      for (int index = 0; in.hasRemaining(); index++) {
        int length = RecordCodec.readVarint(in);
        String name = new String(record, in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        ValueType type = RecordCodec.typeOf(in.get());
        int position = view.indexOf(name);
        if (position >= 0) {
          storedIndex[position] = index;
          storedType[position] = type;
        }
      }
      return new Mapping(storedIndex, storedType);
    }

    /** The stored index of the current view's feature at {@code position}, or -1. */
    int storedIndex(int position) {
      return storedIndex[position];
    }

    /** The type the feature at {@code position} was stored with; only where {@link #storedIndex} is not -1. */
    ValueType storedType(int position) {
      return storedType[position];
    }
  }
}
