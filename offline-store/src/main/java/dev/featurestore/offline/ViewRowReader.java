package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.data.FeatureValues;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.parquet.InternalReader;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;

/**
 * Reads the data files of a view's table for materialization, in two passes. The first ({@link #offerNewest})
 * reads only the keys and both timestamps, to find the newest row per key; the second ({@link #readRows}) reads
 * the features too, but converts only the rows at the positions the first pass kept, and stops after the last of
 * them. Every row of a file is read, so a row's position is its position in the file.
 *
 * <p>Both passes read a column at a time with {@link ParquetColumns}: primitives for keys and timestamps, objects
 * only for the rows kept, nothing decoded for the others. A file it does not cover is read with Iceberg's row
 * reader instead, into Iceberg's internal representation (timestamps as epoch microseconds), which is also the
 * canonical one for every type but bytes. A feature the table has no column for yet reads as null.
 */
final class ViewRowReader {
  private final Table table;
  private final FeatureView view;
  private final List<JoinKey> keys;
  private final List<Feature> features;
  /** Keys and timestamps: the first pass. */
  private final Projection times;
  /** Keys, timestamps and the features the table has: the second pass. */
  private final Projection rows;
  /** Whether the key is one integer column, which {@link NewestPerKey} keeps as a long. */
  private final boolean longKey;

  private ViewRowReader(Table table, Schema tableSchema, List<JoinKey> keys, FeatureView view) {
    this.table = table;
    this.view = view;
    this.keys = List.copyOf(keys);
    this.features = view.features();
    this.times = new Projection(tableSchema.select(columnNames(tableSchema, keys, List.of())), keys, List.of());
    this.rows = new Projection(tableSchema.select(columnNames(tableSchema, keys, features)), keys, features);
    this.longKey = keys.size() == 1
        && (keys.get(0).type() == ValueType.INT64 || keys.get(0).type() == ValueType.INT32);
  }

  /** A reader of the columns of {@code keys} and {@code view}'s features as they are in {@code tableSchema}. */
  static ViewRowReader of(Table table, Schema tableSchema, List<JoinKey> keys, FeatureView view) {
    return new ViewRowReader(table, tableSchema, keys, view);
  }

  /** The columns to select from {@code tableSchema}: keys, timestamps, and the features it has a column for. */
  static List<String> columnNames(Schema tableSchema, List<JoinKey> keys, List<Feature> features) {
    List<String> names = new ArrayList<>();
    keys.forEach(key -> names.add(key.name()));
    names.add(ViewSchemas.EVENT_TIMESTAMP);
    names.add(ViewSchemas.CREATED_TIMESTAMP);
    for (Feature feature : features) {
      if (tableSchema.findField(feature.name()) != null) {
        names.add(feature.name());
      }
    }
    return names;
  }

  /** An empty newest-per-key table fit for this reader's keys, for files with these data sequence numbers. */
  NewestPerKey newestPerKey(long[] sequences) {
    return longKey ? NewestPerKey.ofLongKeys(sequences) : NewestPerKey.ofEntityKeys(sequences);
  }

  /**
   * Offers the rows of {@code file} (index {@code fileIndex} of {@code newest}'s files) with {@code fromMicros <=
   * event_timestamp <= toMicros} to {@code newest}, by position in the file.
   */
  void offerNewest(DataFile file, int fileIndex, long fromMicros, long toMicros, NewestPerKey newest) {
    ParquetColumns columns = ParquetColumns.open(table.io().newInputFile(file.location()), times.schema, times.types);
    if (columns == null) {
      offerNewestByRecords(file, fileIndex, fromMicros, toMicros, newest);
      return;
    }
    try (columns) {
      int position = 0;
      for (long count = columns.nextRowGroup(); count >= 0; count = columns.nextRowGroup()) {
        ParquetColumns.Column event = required(columns, times, times.eventAt, file);
        ParquetColumns.Column created = required(columns, times, times.createdAt, file);
        ParquetColumns.Column[] keyColumns = new ParquetColumns.Column[keys.size()];
        for (int k = 0; k < keyColumns.length; k++) {
          keyColumns[k] = required(columns, times, times.keyAt[k], file);
        }
        for (long row = 0; row < count; row++, position++) {
          long eventMicros = timestamp(event, file, position);
          if (eventMicros < fromMicros || eventMicros > toMicros) {
            created.skip();
            for (ParquetColumns.Column key : keyColumns) {
              key.skip();
            }
            continue;
          }
          long createdMicros = timestamp(created, file, position);
          if (longKey) {
            newest.offer(timestamp(keyColumns[0], file, position), eventMicros, createdMicros, fileIndex, position);
          } else {
            newest.offer(key(keyColumns, file, position), eventMicros, createdMicros, fileIndex, position);
          }
        }
      }
    }
  }

  /** {@link #offerNewest} with Iceberg's row reader, for a file {@link ParquetColumns} does not cover. */
  void offerNewestByRecords(
      DataFile file, int fileIndex, long fromMicros, long toMicros, NewestPerKey newest) {
    try (CloseableIterable<StructLike> records = open(file, times.schema)) {
      int position = 0;
      int keyAt = times.keyAt[0];
      for (StructLike record : records) {
        long event = record.get(times.eventAt, Long.class);
        if (event >= fromMicros && event <= toMicros) {
          long created = record.get(times.createdAt, Long.class);
          if (longKey) {
            newest.offer(record.get(keyAt, Number.class).longValue(), event, created, fileIndex, position);
          } else {
            newest.offer(times.key(record, keys), event, created, fileIndex, position);
          }
        }
        position++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Passes the rows of {@code file} at {@code positions} (ascending) to {@code sink}, in file order, as feature
   * rows of the view.
   */
  void readRows(DataFile file, int[] positions, Consumer<FeatureRow> sink) {
    if (positions.length == 0) {
      return;
    }
    ParquetColumns columns = ParquetColumns.open(table.io().newInputFile(file.location()), rows.schema, rows.types);
    if (columns == null) {
      readRowsByRecords(file, positions, sink);
      return;
    }
    try (columns) {
      int position = 0;
      int next = 0;
      for (long count = columns.nextRowGroup(); count >= 0; count = columns.nextRowGroup()) {
        ParquetColumns.Column event = required(columns, rows, rows.eventAt, file);
        ParquetColumns.Column created = required(columns, rows, rows.createdAt, file);
        ParquetColumns.Column[] keyColumns = new ParquetColumns.Column[keys.size()];
        for (int k = 0; k < keyColumns.length; k++) {
          keyColumns[k] = required(columns, rows, rows.keyAt[k], file);
        }
        // features the file has no column for (added to the table later) stay null
        ParquetColumns.Column[] featureColumns = new ParquetColumns.Column[features.size()];
        for (int f = 0; f < featureColumns.length; f++) {
          featureColumns[f] = rows.featureAt[f] < 0 ? null : columns.column(rows.featureAt[f]);
        }
        for (long row = 0; row < count; row++, position++) {
          if (position != positions[next]) {
            event.skip();
            created.skip();
            for (ParquetColumns.Column key : keyColumns) {
              key.skip();
            }
            for (ParquetColumns.Column feature : featureColumns) {
              if (feature != null) {
                feature.skip();
              }
            }
            continue;
          }
          long eventMicros = timestamp(event, file, position);
          long createdMicros = timestamp(created, file, position);
          EntityKey key = key(keyColumns, file, position);
          Object[] values = new Object[featureColumns.length];
          for (int f = 0; f < values.length; f++) {
            values[f] = featureColumns[f] == null ? null : featureColumns[f].next();
          }
          sink.accept(new FeatureRow(key, eventMicros, createdMicros, FeatureValues.of(view, values)));
          if (++next == positions.length) {
            return;
          }
        }
      }
    }
    throw new IllegalStateException("Cannot materialize view '" + view.name() + "': data file " + file.location()
        + " has fewer rows than position " + positions[positions.length - 1]);
  }

  /** {@link #readRows} with Iceberg's row reader, for a file {@link ParquetColumns} does not cover. */
  void readRowsByRecords(DataFile file, int[] positions, Consumer<FeatureRow> sink) {
    try (CloseableIterable<StructLike> records = open(file, rows.schema)) {
      int position = 0;
      int next = 0;
      for (StructLike record : records) {
        if (position++ != positions[next]) {
          continue;
        }
        Object[] values = new Object[rows.featureAt.length];
        for (int f = 0; f < values.length; f++) {
          values[f] = rows.featureAt[f] < 0
              ? null
              : canonical(record.get(rows.featureAt[f], Object.class), features.get(f).type());
        }
        sink.accept(new FeatureRow(rows.key(record, keys), record.get(rows.eventAt, Long.class),
            record.get(rows.createdAt, Long.class), FeatureValues.of(view, values)));
        if (++next == positions.length) {
          return;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("Cannot materialize view '" + view.name() + "': data file " + file.location()
        + " has fewer rows than position " + positions[positions.length - 1]);
  }

  private ParquetColumns.Column required(ParquetColumns columns, Projection projection, int column, DataFile file) {
    ParquetColumns.Column found = columns.column(column);
    if (found == null) {
      throw new IllegalStateException("Cannot materialize view '" + view.name() + "': data file " + file.location()
          + " has no column " + projection.schema.columns().get(column).name());
    }
    return found;
  }

  /** A timestamp or integer key of the current row, which may not be null. */
  private long timestamp(ParquetColumns.Column column, DataFile file, int position) {
    if (column.isNull()) {
      throw new IllegalStateException("Cannot materialize view '" + view.name() + "': data file " + file.location()
          + " has a null key or timestamp at row " + position);
    }
    return column.nextLong();
  }

  private EntityKey key(ParquetColumns.Column[] keyColumns, DataFile file, int position) {
    Object[] keyValues = new Object[keyColumns.length];
    for (int k = 0; k < keyValues.length; k++) {
      keyValues[k] = keyColumns[k].next();
      if (keyValues[k] == null) {
        throw new IllegalStateException("Cannot materialize view '" + view.name() + "': data file "
            + file.location() + " has a null key " + keys.get(k).name() + " at row " + position);
      }
    }
    return new EntityKey(Arrays.asList(keyValues));
  }

  /**
   * The canonical value of an internal one. Bytes are copied: with reused containers the reader's buffers may be
   * views of its page memory, overwritten by later rows, and a row may wait in a batch until well after that.
   */
  private static Object canonical(Object value, ValueType type) {
    if (value == null || type.elementType() != ValueType.BYTES) {
      return ViewSchemas.fromIceberg(value, type);
    }
    if (type.isList()) {
      List<Object> copies = new ArrayList<>();
      for (Object item : (List<?>) value) {
        copies.add(canonical(item, ValueType.BYTES));
      }
      return Collections.unmodifiableList(copies);
    }
    ByteBuffer buffer = value instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : ((ByteBuffer) value).duplicate();
    byte[] copy = new byte[buffer.remaining()];
    buffer.get(copy);
    return ByteBuffer.wrap(copy).asReadOnlyBuffer();
  }

  private CloseableIterable<StructLike> open(DataFile file, Schema projection) {
    return Parquet.read(table.io().newInputFile(file.location()))
        .project(projection)
        .createReaderFunc(fileSchema -> InternalReader.<StructLike>create(projection, fileSchema))
        // every value is copied out of the record before the next one is read
        .reuseContainers()
        .build();
  }

  /** A projection of the table's schema and where each column the reader needs is in its records. */
  private static final class Projection {
    final Schema schema;
    final int[] keyAt;
    final int eventAt;
    final int createdAt;
    /** Per feature, its position, or -1 when the table has no column for it. */
    final int[] featureAt;
    /** The value type of each column of the schema. */
    final List<ValueType> types;

    Projection(Schema schema, List<JoinKey> keys, List<Feature> features) {
      this.schema = schema;
      this.keyAt = keys.stream().mapToInt(key -> positionOf(schema, key.name())).toArray();
      this.eventAt = positionOf(schema, ViewSchemas.EVENT_TIMESTAMP);
      this.createdAt = positionOf(schema, ViewSchemas.CREATED_TIMESTAMP);
      this.featureAt = features.stream()
          .mapToInt(feature -> schema.findField(feature.name()) == null ? -1 : positionOf(schema, feature.name()))
          .toArray();
      ValueType[] columnTypes = new ValueType[schema.columns().size()];
      for (int k = 0; k < keyAt.length; k++) {
        columnTypes[keyAt[k]] = keys.get(k).type();
      }
      columnTypes[eventAt] = ValueType.TIMESTAMP;
      columnTypes[createdAt] = ValueType.TIMESTAMP;
      for (int f = 0; f < featureAt.length; f++) {
        if (featureAt[f] >= 0) {
          columnTypes[featureAt[f]] = features.get(f).type();
        }
      }
      this.types = List.of(columnTypes);
    }

    EntityKey key(StructLike record, List<JoinKey> keys) {
      Object[] keyValues = new Object[keyAt.length];
      for (int k = 0; k < keyValues.length; k++) {
        keyValues[k] = ViewSchemas.fromIceberg(record.get(keyAt[k], Object.class), keys.get(k).type());
      }
      return new EntityKey(Arrays.asList(keyValues));
    }

    private static int positionOf(Schema projection, String name) {
      return projection.columns().indexOf(projection.findField(name));
    }
  }
}
