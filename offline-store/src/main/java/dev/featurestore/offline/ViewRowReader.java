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
import org.apache.iceberg.types.Types;

/**
 * Reads the data files of a view's table in two passes, for materialization and for the in-memory join
 * ({@link InMemoryViewJoin}). The first ({@link #offerNewest}, {@link #scanKeys}) reads only the keys and both
 * timestamps, to find the newest row per key or the rows entity rows match; the second ({@link #readRows},
 * {@link #readValues}) reads the features too, but converts only the rows at the positions the first pass picked,
 * and stops after the last of them. Every row of a file is read, so a row's position is its position in the file.
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
  /** The features the table has, alone, and their types: {@link #readValues}. */
  private final Schema valuesSchema;
  private final List<ValueType> valueTypes;
  /** Per feature, its column in {@link #valuesSchema}, or -1 when the table has none. */
  private final int[] valueAt;
  /** Whether the key is one integer column, which {@link NewestPerKey} keeps as a long. */
  private final boolean longKey;
  /** The start of every error message, e.g. "Cannot materialize view 'x'". */
  private final String action;

  private ViewRowReader(Table table, Schema tableSchema, List<JoinKey> keys, FeatureView view,
      List<Feature> features, String action) {
    this.table = table;
    this.view = view;
    this.keys = List.copyOf(keys);
    this.features = List.copyOf(features);
    this.action = action;
    this.times = new Projection(tableSchema.select(columnNames(tableSchema, keys, List.of())), keys, List.of());
    this.rows = new Projection(tableSchema.select(columnNames(tableSchema, keys, features)), keys, features);
    List<Types.NestedField> present = new ArrayList<>();
    List<ValueType> presentTypes = new ArrayList<>();
    this.valueAt = new int[features.size()];
    for (int f = 0; f < valueAt.length; f++) {
      Types.NestedField field = tableSchema.findField(features.get(f).name());
      valueAt[f] = field == null ? -1 : present.size();
      if (field != null) {
        present.add(field);
        presentTypes.add(features.get(f).type());
      }
    }
    this.valuesSchema = new Schema(present);
    this.valueTypes = List.copyOf(presentTypes);
    this.longKey = JoinRows.isIntegerKey(keys.stream().map(JoinKey::type).toArray(ValueType[]::new));
  }

  /** A reader of the columns of {@code keys} and {@code view}'s features as they are in {@code tableSchema}. */
  static ViewRowReader of(Table table, Schema tableSchema, List<JoinKey> keys, FeatureView view) {
    return new ViewRowReader(table, tableSchema, keys, view, view.features(),
        "Cannot materialize view '" + view.name() + "'");
  }

  /**
   * A reader of the columns of {@code keys} and some of {@code view}'s {@code features}, for {@link #scanKeys} and
   * {@link #readValues}; {@code action} starts its error messages.
   */
  static ViewRowReader of(Table table, Schema tableSchema, List<JoinKey> keys, FeatureView view,
      List<Feature> features, String action) {
    return new ViewRowReader(table, tableSchema, keys, view, features, action);
  }

  /** Receives a row of {@link #scanKeys}. */
  @FunctionalInterface
  interface KeySink {
    /**
     * @param longKey the key when it is one integer column ({@link #hasLongKey}), else unused
     * @param keyValues the key's canonical values, null when it is one integer column
     */
    void accept(long longKey, Object[] keyValues, long eventMicros, long createdMicros, int fileIndex,
        int position);
  }

  /** Receives the feature values of a row of {@link #readValues}; the array is the row's own. */
  @FunctionalInterface
  interface ValuesSink {
    void accept(Object[] values);
  }

  /** Whether the key is one integer column, which {@link #scanKeys} gives as a {@code long}. */
  boolean hasLongKey() {
    return longKey;
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
    scanKeys(file, fileIndex, fromMicros, toMicros, Long.MAX_VALUE, offerTo(newest));
  }

  /** {@link #offerNewest} with Iceberg's row reader, for a file {@link ParquetColumns} does not cover. */
  void offerNewestByRecords(DataFile file, int fileIndex, long fromMicros, long toMicros, NewestPerKey newest) {
    scanKeysByRecords(file, fileIndex, fromMicros, toMicros, Long.MAX_VALUE, offerTo(newest));
  }

  private static KeySink offerTo(NewestPerKey newest) {
    return (longKey, keyValues, event, created, fileIndex, position) -> {
      if (keyValues == null) {
        newest.offer(longKey, event, created, fileIndex, position);
      } else {
        newest.offer(new EntityKey(Arrays.asList(keyValues)), event, created, fileIndex, position);
      }
    };
  }

  /**
   * Passes the key and timestamps of every row of {@code file} with {@code fromMicros <= event_timestamp <=
   * toMicros} and {@code created_timestamp <= createdAtMostMicros} to {@code sink}, by position in the file; no
   * feature is read.
   */
  void scanKeys(DataFile file, int fileIndex, long fromMicros, long toMicros, long createdAtMostMicros,
      KeySink sink) {
    ParquetColumns columns = ParquetColumns.open(table.io().newInputFile(file.location()), times.schema, times.types);
    if (columns == null) {
      scanKeysByRecords(file, fileIndex, fromMicros, toMicros, createdAtMostMicros, sink);
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
          boolean wanted = eventMicros >= fromMicros && eventMicros <= toMicros;
          long createdMicros = 0;
          if (wanted) {
            createdMicros = timestamp(created, file, position);
            wanted = createdMicros <= createdAtMostMicros;
          } else {
            created.skip();
          }
          if (!wanted) {
            for (ParquetColumns.Column key : keyColumns) {
              key.skip();
            }
            continue;
          }
          if (longKey) {
            sink.accept(timestamp(keyColumns[0], file, position), null, eventMicros, createdMicros, fileIndex,
                position);
          } else {
            sink.accept(0, key(keyColumns, file, position), eventMicros, createdMicros, fileIndex, position);
          }
        }
      }
    }
  }

  /** {@link #scanKeys} with Iceberg's row reader, for a file {@link ParquetColumns} does not cover. */
  void scanKeysByRecords(DataFile file, int fileIndex, long fromMicros, long toMicros, long createdAtMostMicros,
      KeySink sink) {
    try (CloseableIterable<StructLike> records = open(file, times.schema)) {
      int position = 0;
      for (StructLike record : records) {
        long event = record.get(times.eventAt, Long.class);
        if (event >= fromMicros && event <= toMicros) {
          long created = record.get(times.createdAt, Long.class);
          if (created <= createdAtMostMicros) {
            if (longKey) {
              sink.accept(record.get(times.keyAt[0], Number.class).longValue(), null, event, created, fileIndex,
                  position);
            } else {
              sink.accept(0, times.keyValues(record, keys), event, created, fileIndex, position);
            }
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
   * rows of the view (a reader of all its features).
   */
  void readRows(DataFile file, int[] positions, Consumer<FeatureRow> sink) {
    read(file, positions, false, asFeatureRows(sink));
  }

  /** {@link #readRows} with Iceberg's row reader, for a file {@link ParquetColumns} does not cover. */
  void readRowsByRecords(DataFile file, int[] positions, Consumer<FeatureRow> sink) {
    read(file, positions, true, asFeatureRows(sink));
  }

  /**
   * Passes the feature values of the rows of {@code file} at {@code positions} (ascending) to {@code sink}, in file
   * order, in the order of the reader's features.
   */
  void readValues(DataFile file, int[] positions, ValuesSink sink) {
    if (positions.length == 0) {
      return;
    }
    if (valueTypes.isEmpty()) {
      for (int i = 0; i < positions.length; i++) {
        sink.accept(new Object[features.size()]);
      }
      return;
    }
    Object[][] rows = new Object[positions.length][];
    boolean covered = readWanted(file, positions,
        (feature, wanted, column) -> {
          if (rows[wanted] == null) {
            rows[wanted] = new Object[features.size()];
          }
          rows[wanted][feature] = column.next();
        },
        (from, to) -> {
          for (int i = from; i < to; i++) {
            // a row all of whose features the file lacks has no array yet
            sink.accept(rows[i] != null ? rows[i] : new Object[features.size()]);
            rows[i] = null;
          }
        });
    if (!covered) {
      read(file, positions, true, (keyValues, event, created, values) -> sink.accept(values));
    }
  }

  /**
   * Reads the feature values of the rows of {@code file} at {@code positions} (ascending) into {@code into}, the
   * one at {@code positions[i]} as its row {@code firstRow + i}; {@code afterRowGroup} runs after each row group (to
   * measure {@code into}). Features the file has no column for stay null.
   */
  void readColumns(DataFile file, int[] positions, int firstRow, MatchedValues into, Runnable afterRowGroup) {
    if (positions.length == 0 || valueTypes.isEmpty()) {
      return;
    }
    boolean covered = readWanted(file, positions,
        (feature, wanted, column) -> into.read(feature, firstRow + wanted, column), (from, to) -> afterRowGroup.run());
    if (!covered) {
      int[] next = {firstRow};
      read(file, positions, true, (keyValues, event, created, values) -> {
        int row = next[0]++;
        for (int f = 0; f < values.length; f++) {
          into.set(f, row, values[f]);
        }
      });
      afterRowGroup.run();
    }
  }

  /** Reads feature {@code feature} of wanted row {@code wanted} from {@code column}'s current row, moving past it. */
  @FunctionalInterface
  private interface WantedValue {
    void read(int feature, int wanted, ParquetColumns.Column column);
  }

  /** Told that the wanted rows {@code from} (inclusive) to {@code to} (exclusive), a row group's, are read. */
  @FunctionalInterface
  private interface RowGroupRead {
    void done(int from, int to);
  }

  /**
   * Gives {@code reader} each feature value of the rows of {@code file} at {@code positions} (ascending), a row
   * group at a time and in it a column at a time (one decoder busy at once, skipping between the positions wanted);
   * a feature the file has no column for (added to the table later) is not given. Returns false, having read
   * nothing, when {@link ParquetColumns} does not cover the file.
   */
  private boolean readWanted(DataFile file, int[] positions, WantedValue reader, RowGroupRead rowGroupRead) {
    ParquetColumns columns = ParquetColumns.open(table.io().newInputFile(file.location()), valuesSchema, valueTypes);
    if (columns == null) {
      return false;
    }
    int next = 0;
    try (columns) {
      long start = 0;
      for (long count = columns.nextRowGroup(); count >= 0 && next < positions.length;
          start += count, count = columns.nextRowGroup()) {
        int end = next;
        while (end < positions.length && positions[end] < start + count) {
          end++;
        }
        for (int f = 0; f < valueAt.length; f++) {
          ParquetColumns.Column column = valueAt[f] < 0 ? null : columns.column(valueAt[f]);
          if (column == null) {
            continue;
          }
          long at = start;
          for (int i = next; i < end; i++) {
            for (; at < positions[i]; at++) {
              column.skip();
            }
            reader.read(f, i, column);
            at++;
          }
        }
        rowGroupRead.done(next, end);
        next = end;
      }
    }
    if (next < positions.length) {
      throw new IllegalStateException(action + ": data file " + file.location()
          + " has fewer rows than position " + positions[positions.length - 1]);
    }
    return true;
  }

  private RowSink asFeatureRows(Consumer<FeatureRow> sink) {
    return (keyValues, event, created, values) -> sink.accept(new FeatureRow(new EntityKey(Arrays.asList(keyValues)),
        event, created, FeatureValues.of(view, values)));
  }

  /** A row of {@link #read}: its key's canonical values, timestamps and feature values. */
  @FunctionalInterface
  private interface RowSink {
    void accept(Object[] keyValues, long eventMicros, long createdMicros, Object[] values);
  }

  private void read(DataFile file, int[] positions, boolean byRecords, RowSink sink) {
    if (positions.length == 0) {
      return;
    }
    ParquetColumns columns = byRecords
        ? null : ParquetColumns.open(table.io().newInputFile(file.location()), rows.schema, rows.types);
    if (columns == null) {
      readByRecords(file, positions, sink);
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
          Object[] keyValues = key(keyColumns, file, position);
          Object[] values = new Object[featureColumns.length];
          for (int f = 0; f < values.length; f++) {
            values[f] = featureColumns[f] == null ? null : featureColumns[f].next();
          }
          sink.accept(keyValues, eventMicros, createdMicros, values);
          if (++next == positions.length) {
            return;
          }
        }
      }
    }
    throw new IllegalStateException(action + ": data file " + file.location()
        + " has fewer rows than position " + positions[positions.length - 1]);
  }

  private void readByRecords(DataFile file, int[] positions, RowSink sink) {
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
        sink.accept(rows.keyValues(record, keys), record.get(rows.eventAt, Long.class),
            record.get(rows.createdAt, Long.class), values);
        if (++next == positions.length) {
          return;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(action + ": data file " + file.location()
        + " has fewer rows than position " + positions[positions.length - 1]);
  }

  private ParquetColumns.Column required(ParquetColumns columns, Projection projection, int column, DataFile file) {
    ParquetColumns.Column found = columns.column(column);
    if (found == null) {
      throw new IllegalStateException(action + ": data file " + file.location()
          + " has no column " + projection.schema.columns().get(column).name());
    }
    return found;
  }

  /** A timestamp or integer key of the current row, which may not be null. */
  private long timestamp(ParquetColumns.Column column, DataFile file, int position) {
    if (column.isNull()) {
      throw new IllegalStateException(action + ": data file " + file.location()
          + " has a null key or timestamp at row " + position);
    }
    return column.nextLong();
  }

  private Object[] key(ParquetColumns.Column[] keyColumns, DataFile file, int position) {
    Object[] keyValues = new Object[keyColumns.length];
    for (int k = 0; k < keyValues.length; k++) {
      keyValues[k] = keyColumns[k].next();
      if (keyValues[k] == null) {
        throw new IllegalStateException(action + ": data file "
            + file.location() + " has a null key " + keys.get(k).name() + " at row " + position);
      }
    }
    return keyValues;
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

    Object[] keyValues(StructLike record, List<JoinKey> keys) {
      Object[] keyValues = new Object[keyAt.length];
      for (int k = 0; k < keyValues.length; k++) {
        keyValues[k] = ViewSchemas.fromIceberg(record.get(keyAt[k], Object.class), keys.get(k).type());
      }
      return keyValues;
    }

    private static int positionOf(Schema projection, String name) {
      return projection.columns().indexOf(projection.findField(name));
    }
  }
}
