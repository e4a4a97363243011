package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.EncodingStats;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;

/**
 * A flat column chunk (a scalar, not in a list) decoded page by page from its bytes: PLAIN values read at their
 * offset in the page, dictionary ids and definition levels with {@link HybridDecoder}. Why not Parquet's
 * {@code ColumnReader}: it checks its state on every value and reads PLAIN values through a byte stream, eight
 * calls per long; that was about half of reading the keys and timestamps of a view and a third of reading its
 * feature values. Skipping a PLAIN value is moving an offset.
 *
 * <p>Covers what Parquet writers of this store produce, pages V1 and V2: PLAIN and dictionary values, RLE
 * definition levels. {@link #covers} tells from a column chunk's metadata; other chunks keep Parquet's reader.
 */
final class PageColumn extends ParquetColumns.Column {
  /** The value encodings it reads: PLAIN and dictionary ids. */
  private static final Set<Encoding> VALUES = Set.of(Encoding.PLAIN, Encoding.PLAIN_DICTIONARY,
      Encoding.RLE_DICTIONARY);
  /** The encodings of dictionary pages it reads: PLAIN entries. */
  private static final Set<Encoding> DICTIONARIES = Set.of(Encoding.PLAIN, Encoding.PLAIN_DICTIONARY);

  private final PageReader pages;
  private final ColumnDescriptor descriptor;
  private final ValueType type;
  private final boolean optional;
  /**
   * The chunk's dictionary page (PLAIN entries), or null: entries are read from it by id, and only those some row
   * uses. Parquet's dictionaries decode every entry up front, and a day's file of a view has fewer rows than a
   * string feature has distinct values.
   */
  private final ByteBuffer dictionary;
  private final int dictionarySize;
  /** Binary entries: where each starts (its length prefix), found on first use, and their bytes copied so far. */
  private int[] entryOffsets;
  private byte[][] entryBytes;
  /** Strings of the dictionary decoded so far, by id: a dictionary-encoded string is decoded once per chunk. */
  private String[] dictionaryStrings;

  /** Rows left in the current page. */
  private int pageRows;
  private HybridDecoder definitions;
  /** PLAIN values: the page's bytes, little-endian, and where the next value starts; for BOOLEAN its bit. */
  private ByteBuffer plain;
  private int offset;
  private int bit;
  /** Dictionary ids of the current page, when it is dictionary-encoded. */
  private HybridDecoder ids;
  /** Whether the current row's definition level has been read, and whether the row has a value. */
  private boolean positioned;
  private boolean present;

  /**
   * Whether {@code chunk} (null: not known), of a column of {@code descriptor}'s shape, is one this class reads:
   * flat, at most optional, and by its encoding statistics only values and dictionaries of encodings it decodes.
   * Without those statistics (files of old writers) a chunk's encodings do not tell values from levels (RLE is
   * both, for booleans of pages V2), and Parquet's reader takes it.
   */
  static boolean covers(ColumnDescriptor descriptor, ColumnChunkMetaData chunk) {
    EncodingStats stats = chunk == null ? null : chunk.getEncodingStats();
    return descriptor.getMaxRepetitionLevel() == 0 && descriptor.getMaxDefinitionLevel() <= 1 && stats != null
        && VALUES.containsAll(stats.getDataEncodings()) && DICTIONARIES.containsAll(stats.getDictionaryEncodings());
  }

  PageColumn(PageReader pages, ColumnDescriptor descriptor, ValueType type) {
    this.pages = pages;
    this.descriptor = descriptor;
    this.type = type;
    this.optional = descriptor.getMaxDefinitionLevel() == 1;
    DictionaryPage page = pages.readDictionaryPage();
    if (page != null && page.getEncoding() != Encoding.PLAIN && page.getEncoding() != Encoding.PLAIN_DICTIONARY) {
      throw unsupported(page.getEncoding() + " dictionaries");
    }
    try {
      this.dictionary = page == null ? null : page.getBytes().toByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.dictionarySize = page == null ? 0 : page.getDictionarySize();
  }

  @Override
  boolean isNull() {
    position();
    return !present;
  }

  @Override
  long nextLong() {
    take();
    if (ids != null) {
      int id = id();
      return type == ValueType.INT32 ? dictionary.getInt(4 * id) : dictionary.getLong(8 * id);
    }
    return type == ValueType.INT32 ? plainInt() : plainLong();
  }

  @Override
  double nextDouble() {
    take();
    return ids != null ? dictionary.getDouble(8 * id()) : plainDouble();
  }

  @Override
  float nextFloat() {
    take();
    return ids != null ? dictionary.getFloat(4 * id()) : plainFloat();
  }

  @Override
  boolean nextBoolean() {
    take();
    return (Boolean) (ids != null ? fromDictionary(id()) : plainValue());
  }

  @Override
  byte[] nextUtf8() {
    take();
    return ids != null ? entryBytes(id()) : plainBytes();
  }

  @Override
  Object next() {
    take();
    if (!present) {
      return null;
    }
    return ids != null ? fromDictionary(id()) : plainValue();
  }

  @Override
  void skip() {
    take();
    if (!present) {
      return;
    }
    if (ids != null) {
      id();
      return;
    }
    switch (type) {
      case BOOL -> bit++;
      case INT32, FLOAT -> offset += 4;
      case INT64, DOUBLE, TIMESTAMP -> offset += 8;
      case STRING, BYTES -> offset += 4 + plain.getInt(offset);
      default -> throw new IllegalStateException("Cannot read a value: " + type + " is not a scalar type");
    }
  }

  /** Reads the current row's definition level, from the next page when this one is done. */
  private void position() {
    if (positioned) {
      return;
    }
    if (pageRows == 0) {
      readPage();
    }
    pageRows--;
    positioned = true;
    present = !optional || definitions.readInt() == 1;
  }

  /** Positions on the current row and consumes it: its value, if any, is read next. */
  private void take() {
    position();
    positioned = false;
  }

  /** The next dictionary id, checked against the dictionary's size. */
  private int id() {
    int id = ids.readInt();
    if (id >= dictionarySize) {
      throw new IllegalStateException("Cannot read column " + columnName() + ": dictionary id " + id
          + " of a dictionary of " + dictionarySize);
    }
    return id;
  }

  private int plainInt() {
    int value = plain.getInt(offset);
    offset += 4;
    return value;
  }

  private long plainLong() {
    long value = plain.getLong(offset);
    offset += 8;
    return value;
  }

  private float plainFloat() {
    float value = plain.getFloat(offset);
    offset += 4;
    return value;
  }

  private double plainDouble() {
    double value = plain.getDouble(offset);
    offset += 8;
    return value;
  }

  /** A PLAIN binary value: its length, then its bytes; copied. */
  private byte[] plainBytes() {
    int length = plain.getInt(offset);
    byte[] bytes = new byte[length];
    plain.get(offset + 4, bytes, 0, length);
    offset += 4 + length;
    return bytes;
  }

  private Object plainValue() {
    return switch (type) {
      case BOOL -> {
        // bit-packed, least significant bit first
        boolean value = ((plain.get(offset + (bit >>> 3)) >>> (bit & 7)) & 1) != 0;
        bit++;
        yield value;
      }
      case INT32 -> plainInt();
      case FLOAT -> plainFloat();
      case INT64, TIMESTAMP -> plainLong();
      case DOUBLE -> plainDouble();
      case STRING -> new String(plainBytes(), StandardCharsets.UTF_8);
      case BYTES -> ByteBuffer.wrap(plainBytes()).asReadOnlyBuffer();
      default -> throw new IllegalStateException("Cannot read a value: " + type + " is not a scalar type");
    };
  }

  private Object fromDictionary(int id) {
    return switch (type) {
      case INT32 -> dictionary.getInt(4 * id);
      case FLOAT -> dictionary.getFloat(4 * id);
      case INT64, TIMESTAMP -> dictionary.getLong(8 * id);
      case DOUBLE -> dictionary.getDouble(8 * id);
      case STRING -> {
        if (dictionaryStrings == null) {
          dictionaryStrings = new String[dictionarySize];
        }
        String value = dictionaryStrings[id];
        if (value == null) {
          value = new String(entryBytes(id), StandardCharsets.UTF_8);
          dictionaryStrings[id] = value;
        }
        yield value;
      }
      // a copy of its own: a ByteBuffer's position is its reader's
      case BYTES -> ByteBuffer.wrap(entryBytes(id).clone()).asReadOnlyBuffer();
      default -> throw unsupported("dictionary-encoded " + type + " values");
    };
  }

  /**
   * The bytes of binary dictionary entry {@code id}, copied out of the page once per chunk and shared after that:
   * not to be modified.
   */
  private byte[] entryBytes(int id) {
    if (entryBytes == null) {
      entryBytes = new byte[dictionarySize][];
      entryOffsets = new int[dictionarySize];
      int at = 0;
      for (int e = 0; e < dictionarySize; e++) {
        entryOffsets[e] = at;
        at += 4 + dictionary.getInt(at);
      }
    }
    byte[] bytes = entryBytes[id];
    if (bytes == null) {
      int at = entryOffsets[id];
      bytes = new byte[dictionary.getInt(at)];
      dictionary.get(at + 4, bytes, 0, bytes.length);
      entryBytes[id] = bytes;
    }
    return bytes;
  }

  private void readPage() {
    DataPage page = pages.readPage();
    if (page == null) {
      throw new IllegalStateException("Cannot read column " + columnName()
          + ": its chunk has fewer values than its row group has rows");
    }
    try {
      if (page instanceof DataPageV1 v1) {
        // repetition levels (none: a flat column), definition levels with their length, values
        ByteBuffer bytes = v1.getBytes().toByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        if (optional) {
          if (v1.getDlEncoding() != Encoding.RLE) {
            throw unsupported(v1.getDlEncoding() + " definition levels");
          }
          int length = bytes.getInt(0);
          definitions = new HybridDecoder(bytes, 4, 4 + length, 1);
          at = 4 + length;
        }
        values(v1.getValueEncoding(), bytes, at);
      } else if (page instanceof DataPageV2 v2) {
        // levels apart from the values, never compressed, without a length
        if (optional) {
          ByteBuffer levels = v2.getDefinitionLevels().toByteBuffer().slice();
          definitions = new HybridDecoder(levels, 0, levels.limit(), 1);
        }
        values(v2.getDataEncoding(), v2.getData().toByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN), 0);
      } else {
        throw unsupported(page.getClass().getSimpleName() + " pages");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    pageRows = page.getValueCount();
  }

  /** The values of a page, from {@code at} in {@code page} (little-endian) to its end. */
  private void values(Encoding encoding, ByteBuffer page, int at) {
    if (encoding == Encoding.PLAIN) {
      plain = page;
      offset = at;
      bit = 0;
      ids = null;
      return;
    }
    if (!encoding.usesDictionary() || dictionary == null) {
      throw unsupported(encoding + " values");
    }
    // the ids' bit width, then the ids
    ids = new HybridDecoder(page, at + 1, page.limit(), page.get(at) & 0xff);
    plain = null;
  }

  private IllegalStateException unsupported(String what) {
    return new IllegalStateException("Cannot read column " + columnName() + ": " + what + " are not supported");
  }

  private String columnName() {
    return String.join(".", descriptor.getPath());
  }
}
