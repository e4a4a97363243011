package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Schema;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.types.Types;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Reads a data file of a view's table a column at a time: a value is decoded straight into a primitive (or, for
 * the rows wanted, into its canonical object), with no record, no boxing and no string for a row that is skipped.
 * Flat columns are decoded from their pages by {@link PageColumn}; lists, and chunks of encodings it does not
 * cover, by Parquet's own column reader. Columns are found by Iceberg field id, so renamed columns read right, and a
 * column the file does not have (a feature added later) reads as null.
 *
 * <p>Covers the files this store writes: flat columns of the store's value types and three-level lists of them.
 * {@link #open} returns null for anything else (a file without field ids, a type promoted since the file was
 * written), and the caller reads that file with Iceberg's row reader instead. Not thread-safe.
 */
final class ParquetColumns implements Closeable {
  /**
   * Read options on a configuration loaded once: a new one per file (what {@code ParquetReadOptions.builder()}
   * makes) parses Hadoop's default XML resources each time, which cost more than reading a small file.
   */
  private static final Configuration CONF = new Configuration();

  private final ParquetFileReader reader;
  private final MessageType requested;
  private final String createdBy;
  /** Per column of the projection: its leaf in the file, or null when the file has no such column. */
  private final ColumnDescriptor[] descriptors;
  private final ValueType[] types;
  private final Column[] columns;
  /** The index of the next row group in the reader's (filtered) list of them. */
  private int rowGroup;

  private ParquetColumns(ParquetFileReader reader, MessageType requested, ColumnDescriptor[] descriptors,
      ValueType[] types) {
    this.reader = reader;
    this.requested = requested;
    this.createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
    this.descriptors = descriptors;
    this.types = types;
    this.columns = new Column[descriptors.length];
  }

  /**
   * Opens {@code file} to read the columns of {@code projection}, whose value types are {@code types} (same order),
   * or returns null when the file is not one this reader covers.
   */
  static ParquetColumns open(org.apache.iceberg.io.InputFile file, Schema projection, List<ValueType> types) {
    ParquetFileReader reader;
    try {
      // options of their own per file: the reader releases the options' codecs when it closes
      reader = ParquetFileReader.open(parquetInput(file), HadoopReadOptions.builder(CONF).build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
      if (!ParquetSchemaUtil.hasIds(fileSchema)) {
        reader.close();
        return null;
      }
      MessageType requested = ParquetSchemaUtil.pruneColumns(fileSchema, projection);
      List<Types.NestedField> fields = projection.columns();
      ColumnDescriptor[] descriptors = new ColumnDescriptor[fields.size()];
      for (int c = 0; c < descriptors.length; c++) {
        int id = fields.get(c).fieldId();
        for (Type field : requested.getFields()) {
          if (field.getId() != null && field.getId().intValue() == id) {
            descriptors[c] = leafOf(requested, field, types.get(c));
            if (descriptors[c] == null) {
              reader.close();
              return null;
            }
          }
        }
      }
      reader.setRequestedSchema(requested);
      return new ParquetColumns(reader, requested, descriptors, types.toArray(ValueType[]::new));
    } catch (IOException | RuntimeException e) {
      try {
        reader.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * Moves to the next row group; returns its row count, or -1 after the last. The columns of {@link #column} then
   * read that row group.
   */
  long nextRowGroup() {
    PageReadStore pages;
    try {
      pages = reader.readNextRowGroup();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (pages == null) {
      return -1;
    }
    BlockMetaData block = reader.getRowGroups().get(rowGroup++);
    ColumnReadStoreImpl store = null;
    for (int c = 0; c < columns.length; c++) {
      ColumnDescriptor descriptor = descriptors[c];
      if (descriptor == null) {
        columns[c] = null;
      } else if (PageColumn.covers(descriptor, chunkOf(block, descriptor))) {
        columns[c] = new PageColumn(pages.getPageReader(descriptor), descriptor, types[c]);
      } else {
        if (store == null) {
          store = new ColumnReadStoreImpl(pages, new IgnoringConverter(requested), requested, createdBy);
        }
        columns[c] = new LibraryColumn(store.getColumnReader(descriptor), descriptor, types[c], requested);
      }
    }
    return pages.getRowCount();
  }

  /** The metadata of {@code descriptor}'s chunk in {@code block}, null when not found. */
  private static ColumnChunkMetaData chunkOf(BlockMetaData block, ColumnDescriptor descriptor) {
    ColumnPath path = ColumnPath.get(descriptor.getPath());
    for (ColumnChunkMetaData chunk : block.getColumns()) {
      if (chunk.getPath().equals(path)) {
        return chunk;
      }
    }
    return null;
  }

  /** The reader of column {@code c} of the projection in the current row group, or null when the file has none. */
  Column column(int c) {
    return columns[c];
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The leaf of a top-level field when it has the layout this reader expects for {@code type}, else null. */
  private static ColumnDescriptor leafOf(MessageType requested, Type field, ValueType type) {
    List<String> path = new ArrayList<>();
    path.add(field.getName());
    Type leaf = field;
    if (type.isList()) {
      // Iceberg writes lists in Parquet's three-level layout: <field> (LIST) > repeated group list > element
      if (field.isPrimitive() || field.asGroupType().getFieldCount() != 1) {
        return null;
      }
      Type repeated = field.asGroupType().getType(0);
      if (repeated.isPrimitive() || !repeated.isRepetition(Type.Repetition.REPEATED)
          || repeated.asGroupType().getFieldCount() != 1) {
        return null;
      }
      leaf = repeated.asGroupType().getType(0);
      path.add(repeated.getName());
      path.add(leaf.getName());
    }
    if (!leaf.isPrimitive() || leaf.isRepetition(Type.Repetition.REPEATED)
        || leaf.asPrimitiveType().getPrimitiveTypeName() != physicalType(type.elementType())) {
      return null;
    }
    ColumnDescriptor descriptor = requested.getColumnDescription(path.toArray(String[]::new));
    return descriptor.getMaxRepetitionLevel() == (type.isList() ? 1 : 0) ? descriptor : null;
  }

  private static PrimitiveTypeName physicalType(ValueType scalar) {
    return switch (scalar) {
      case BOOL -> PrimitiveTypeName.BOOLEAN;
      case INT32 -> PrimitiveTypeName.INT32;
      case INT64, TIMESTAMP -> PrimitiveTypeName.INT64;
      case FLOAT -> PrimitiveTypeName.FLOAT;
      case DOUBLE -> PrimitiveTypeName.DOUBLE;
      case STRING, BYTES -> PrimitiveTypeName.BINARY;
      default -> throw new IllegalArgumentException("Cannot read a column: " + scalar + " is not a scalar type");
    };
  }

  /**
   * One column of a row group, read a row at a time: {@link #nextLong} for keys and timestamps, {@link #next} for
   * a canonical value, {@link #skip} for a row not wanted. A flat column whose encodings {@link PageColumn} covers
   * is decoded by it; lists and other encodings by Parquet's column reader ({@link LibraryColumn}).
   */
  abstract static class Column {
    /** Whether the current row's value (a scalar column) is null. */
    abstract boolean isNull();

    /** The current row's value of an integer column that is not null ({@link #isNull}), and moves to the next row. */
    abstract long nextLong();

    /** The current row's value in its canonical representation (null for null), and moves to the next row. */
    abstract Object next();

    /** Moves to the next row without decoding this one's value. */
    abstract void skip();

    /**
     * The current row's value of a DOUBLE column that is not null, and moves to the next row. These typed reads
     * box here; {@link PageColumn} reads them unboxed.
     */
    double nextDouble() {
      return (Double) next();
    }

    /** {@link #nextDouble} of a FLOAT column. */
    float nextFloat() {
      return (Float) next();
    }

    /** {@link #nextDouble} of a BOOL column. */
    boolean nextBoolean() {
      return (Boolean) next();
    }

    /** {@link #nextDouble} of a STRING column, as its UTF-8 bytes: not to be modified (they may be shared). */
    byte[] nextUtf8() {
      return ((String) next()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** A column read with Parquet's column reader: any layout {@link #leafOf} accepts, lists included. */
  private static final class LibraryColumn extends Column {
    private final ColumnReader reader;
    private final ValueType type;
    private final int maxDefinition;
    /** For a list, the definition level from which a triplet is an element (null or not): the list is there. */
    private final int elementDefinition;
    private long left;

    private LibraryColumn(ColumnReader reader, ColumnDescriptor descriptor, ValueType type, MessageType schema) {
      this.reader = reader;
      this.type = type;
      this.maxDefinition = descriptor.getMaxDefinitionLevel();
      boolean optionalElement = type.isList() && !schema.getType(descriptor.getPath()).isRepetition(
          Type.Repetition.REQUIRED);
      this.elementDefinition = optionalElement ? maxDefinition - 1 : maxDefinition;
      this.left = reader.getTotalValueCount();
    }

    @Override
    boolean isNull() {
      return reader.getCurrentDefinitionLevel() != maxDefinition;
    }

    @Override
    long nextLong() {
      long value = type == ValueType.INT32 ? reader.getInteger() : reader.getLong();
      consume();
      return value;
    }

    @Override
    Object next() {
      if (!type.isList()) {
        Object value = isNull() ? null : scalar(type);
        consume();
        return value;
      }
      int definition = reader.getCurrentDefinitionLevel();
      if (definition < elementDefinition) {
        consume();
        // one level below the repeated group: the list is there but empty; further below, the list is null
        return definition == elementDefinition - 1 ? List.of() : null;
      }
      List<Object> list = new ArrayList<>();
      ValueType element = type.elementType();
      do {
        list.add(reader.getCurrentDefinitionLevel() == maxDefinition ? scalar(element) : null);
        consume();
      } while (left > 0 && reader.getCurrentRepetitionLevel() > 0);
      return Collections.unmodifiableList(list);
    }

    @Override
    void skip() {
      do {
        if (reader.getCurrentDefinitionLevel() == maxDefinition) {
          reader.skip();
        }
        consume();
      } while (type.isList() && left > 0 && reader.getCurrentRepetitionLevel() > 0);
    }

    private void consume() {
      reader.consume();
      left--;
    }

    private Object scalar(ValueType scalar) {
      return switch (scalar) {
        case BOOL -> reader.getBoolean();
        case INT32 -> reader.getInteger();
        case INT64, TIMESTAMP -> reader.getLong();
        case FLOAT -> reader.getFloat();
        case DOUBLE -> reader.getDouble();
        case STRING -> reader.getBinary().toStringUsingUTF8();
        // copied: the binary may be a view of page memory that later pages overwrite
        case BYTES -> ByteBuffer.wrap(reader.getBinary().getBytes().clone()).asReadOnlyBuffer();
        default -> throw new IllegalStateException("Cannot read a value: " + scalar + " is not a scalar type");
      };
    }
  }

  /** Column readers want a converter per leaf; values are taken from the readers here, never converted. */
  private static final class IgnoringConverter extends GroupConverter {
    private final Converter[] children;

    IgnoringConverter(GroupType type) {
      children = new Converter[type.getFieldCount()];
      for (int f = 0; f < children.length; f++) {
        Type child = type.getType(f);
        children[f] = child.isPrimitive() ? new PrimitiveConverter() {} : new IgnoringConverter(child.asGroupType());
      }
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return children[fieldIndex];
    }

    @Override
    public void start() {}

    @Override
    public void end() {}
  }

  /**
   * The file as Parquet's input: a file on the local disk read directly (java.nio), anything else through its
   * Iceberg file IO. Why: Hadoop's local file system, under Iceberg's Hadoop file IO, stats the file, opens its
   * checksum file and checks a CRC over every byte read, which was a third of reading a day's small file; the
   * Parquet pages of this store are zstd frames, and a corrupt footer or page fails to decode.
   */
  private static InputFile parquetInput(org.apache.iceberg.io.InputFile file) {
    // Hadoop's own parsing of its path strings ("file:/a b/c" is one, though not a valid URI); a path without a
    // scheme is left to the file IO, whose default file system need not be the local one
    java.net.URI uri = new org.apache.hadoop.fs.Path(file.location()).toUri();
    return "file".equals(uri.getScheme())
        ? new LocalInputFile(java.nio.file.Path.of(uri.getPath())) : new IcebergInput(file);
  }

  /** Iceberg's input file as Parquet's (Iceberg's own adapter is package-private). */
  private record IcebergInput(org.apache.iceberg.io.InputFile file) implements InputFile {
    @Override
    public long getLength() {
      return file.getLength();
    }

    @Override
    public SeekableInputStream newStream() {
      org.apache.iceberg.io.SeekableInputStream stream = file.newStream();
      return new DelegatingSeekableInputStream(stream) {
        @Override
        public long getPos() throws IOException {
          return stream.getPos();
        }

        @Override
        public void seek(long newPos) throws IOException {
          stream.seek(newPos);
        }
      };
    }
  }
}
