package dev.featurestore.offline;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.JoinKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Reads whole data files of a view's table as {@link StoredRow}s for materialization, projecting the view's keys,
 * both timestamps and the features asked for (null for a feature the table has no column for yet). Every row of a
 * file is read, so a row's position is its position in the file.
 *
 * <p>Rows are decoded into Iceberg's internal representation (timestamps as epoch microseconds, not an
 * OffsetDateTime per value), which is also the canonical one for every type but bytes.
 */
final class ViewRowReader {
  private final Table table;
  private final Schema projection;
  private final List<JoinKey> keys;
  private final List<Feature> features;
  private final int[] keyAt;
  private final int eventAt;
  private final int createdAt;
  private final int[] featureAt;

  private ViewRowReader(Table table, Schema projection, List<JoinKey> keys, List<Feature> features) {
    this.table = table;
    this.projection = projection;
    this.keys = List.copyOf(keys);
    this.features = List.copyOf(features);
    this.keyAt = keys.stream().mapToInt(key -> positionOf(projection, key.name())).toArray();
    this.eventAt = positionOf(projection, ViewSchemas.EVENT_TIMESTAMP);
    this.createdAt = positionOf(projection, ViewSchemas.CREATED_TIMESTAMP);
    this.featureAt = features.stream()
        .mapToInt(feature -> projection.findField(feature.name()) == null ? -1 : positionOf(projection, feature.name()))
        .toArray();
  }

  /** A reader of the columns of {@code keys} and {@code features} as they are in {@code tableSchema}. */
  static ViewRowReader of(Table table, Schema tableSchema, List<JoinKey> keys, List<Feature> features) {
    return new ViewRowReader(table, tableSchema.select(columnNames(tableSchema, keys, features)), keys, features);
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

  /**
   * Passes the rows of {@code file} with {@code fromMicros <= event_timestamp <= toMicros} to {@code sink}, in
   * file order, tagged with the file's data sequence number and their position in it.
   */
  void read(DataFile file, long fromMicros, long toMicros, Consumer<StoredRow> sink) {
    long sequence = file.dataSequenceNumber() == null ? 0 : file.dataSequenceNumber();
    try (CloseableIterable<StructLike> records = Parquet.read(table.io().newInputFile(file.location()))
        .project(projection)
        .createReaderFunc(fileSchema -> InternalReader.<StructLike>create(projection, fileSchema))
        // every value is copied out of the record before the next one is read
        .reuseContainers()
        .build()) {
      long position = 0;
      for (StructLike record : records) {
        long event = record.get(eventAt, Long.class);
        if (event >= fromMicros && event <= toMicros) {
          long created = record.get(createdAt, Long.class);
          Object[] keyValues = new Object[keyAt.length];
          for (int k = 0; k < keyValues.length; k++) {
            keyValues[k] = ViewSchemas.fromIceberg(record.get(keyAt[k], Object.class), keys.get(k).type());
          }
          Object[] values = new Object[featureAt.length];
          for (int f = 0; f < values.length; f++) {
            values[f] = featureAt[f] < 0
                ? null
                : ViewSchemas.fromIceberg(record.get(featureAt[f], Object.class), features.get(f).type());
          }
          sink.accept(new StoredRow(new EntityKey(Arrays.asList(keyValues)), event, created, sequence, position, values));
        }
        position++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int positionOf(Schema projection, String name) {
    return projection.columns().indexOf(projection.findField(name));
  }
}
