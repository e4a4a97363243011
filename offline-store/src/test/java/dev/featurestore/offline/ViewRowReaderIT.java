package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.data.FeatureValues;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The column-at-a-time reading of {@link ViewRowReader} ({@link ParquetColumns}) against its row-at-a-time
 * fallback (Iceberg's row reader) on real Iceberg files of a view with a feature of every value type, nulls and
 * lists, written before and after a feature was added to the view: both find the same newest rows and read the
 * same values.
 */
class ViewRowReaderIT {
  private static final long HOUR = 3_600_000_000L;
  private static final long BASE = 1_704_067_200_000_000L; // 2024-01-01T00:00:00Z

  @TempDir Path dir;
  private OfflineStore offline;

  @BeforeEach
  void open() {
    offline = OfflineStores.local(dir.resolve("warehouse"));
  }

  @AfterEach
  void close() {
    offline.close();
  }

  @Test
  void read_filesOfEveryValueType_columnarEqualsRowReader() throws Exception {
    FeatureView.Builder builder = FeatureView.builder("every_type").entity("user");
    for (ValueType type : ValueType.values()) {
      builder.feature(type.name().toLowerCase(Locale.ROOT), type);
    }
    FeatureView before = builder.build();
    FeatureView after = before.toBuilder().feature("added_later", ValueType.STRING).build();
    Random random = new Random(11);
    offline.append(TestFiles.definitions(before), before.name(), rows(before, random, 400), "before");
    offline.append(TestFiles.definitions(after), after.name(), rows(after, random, 400), "after");
    Definitions definitions = TestFiles.definitions(after);
    Table table = new ViewTables(new HadoopCatalog(new Configuration(), dir.resolve("warehouse").toUri().toString()))
        .find(after.name()).orElseThrow();
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> files.add(task.file()));
    }
    ViewRowReader reader = ViewRowReader.of(table, table.schema(), definitions.joinKeys(after), after);
    long[] sequences = files.stream().mapToLong(DataFile::dataSequenceNumber).toArray();
    NewestPerKey columnar = reader.newestPerKey(sequences);
    NewestPerKey byRecords = reader.newestPerKey(sequences);
    // the first two of the three hours: rows of the third are left out
    long from = BASE;
    long to = BASE + HOUR;

    for (int f = 0; f < files.size(); f++) {
      ParquetColumns columns =
          ParquetColumns.open(table.io().newInputFile(files.get(f).location()),
              table.schema().select(ViewSchemas.EVENT_TIMESTAMP), List.of(ValueType.TIMESTAMP));
      assertThat(columns).as("the columnar reader covers a file this store wrote").isNotNull();
      columns.close();
      reader.offerNewest(files.get(f), f, from, to, columnar);
      reader.offerNewestByRecords(files.get(f), f, from, to, byRecords);
    }

    assertThat(files).hasSizeGreaterThan(1);
    assertThat(columnar.scanned()).isEqualTo(byRecords.scanned()).isPositive().isLessThan(800);
    int[][] positions = columnar.positionsByFile(files.size());
    assertThat(positions).isDeepEqualTo(byRecords.positionsByFile(files.size()));
    List<FeatureRow> columnarRows = new ArrayList<>();
    List<FeatureRow> recordRows = new ArrayList<>();
    for (int f = 0; f < files.size(); f++) {
      reader.readRows(files.get(f), positions[f], columnarRows::add);
      reader.readRowsByRecords(files.get(f), positions[f], recordRows::add);
    }
    assertThat(columnarRows).hasSize(columnar.size()).isEqualTo(recordRows);
    assertThat(columnarRows).anySatisfy(row -> assertThat(row.values()).containsKey("added_later"))
        .anySatisfy(row -> assertThat(row.values()).doesNotContainKey("added_later"));

    // the join's second pass: some of the features alone, in the order asked for, a column at a time
    List<dev.featurestore.api.definition.Feature> some = List.of(after.feature("added_later").orElseThrow(), after.feature("string").orElseThrow(),
        after.feature("int64_list").orElseThrow());
    ViewRowReader join = ViewRowReader.of(table, table.schema(), definitions.joinKeys(after), after, some, "test");
    List<List<Object>> values = new ArrayList<>();
    for (int f = 0; f < files.size(); f++) {
      join.readValues(files.get(f), positions[f], row -> values.add(Arrays.asList(row)));
    }
    assertThat(values).hasSameSizeAs(recordRows);
    for (int i = 0; i < values.size(); i++) {
      java.util.Map<String, Object> expected = recordRows.get(i).values();
      assertThat(values.get(i)).as("row %d", i).containsExactly(expected.get("added_later"),
          expected.get("string"), expected.get("int64_list"));
    }
  }

  /** Rows of random keys and event times over three hours, every value type, a fifth of the values null. */
  private static List<FeatureRow> rows(FeatureView view, Random random, int count) {
    List<FeatureRow> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Object[] values = new Object[view.features().size()];
      for (int f = 0; f < values.length; f++) {
        ValueType type = view.features().get(f).type();
        if (random.nextInt(5) > 0) {
          values[f] = type.isList()
              ? List.copyOf(Arrays.asList(random.ints(random.nextInt(4))
                  .mapToObj(n -> scalar(type.elementType(), n)).toArray()))
              : scalar(type, random.nextInt());
        }
      }
      long event = BASE + random.nextInt(3) * HOUR;
      rows.add(new FeatureRow(EntityKey.of((long) random.nextInt(60)), event, event + random.nextInt(2),
          FeatureValues.of(view, values)));
    }
    return rows;
  }

  private static Object scalar(ValueType type, int n) {
    return switch (type) {
      case BOOL -> n % 2 == 0;
      case INT32 -> n;
      case INT64, TIMESTAMP -> (long) n * 1000;
      case FLOAT -> n / 7f;
      case DOUBLE -> n / 7.0;
      case STRING -> "s" + n;
      case BYTES -> ByteBuffer.wrap(new byte[] {(byte) n, (byte) (n >> 8), 7});
      default -> throw new IllegalArgumentException("Cannot make a value: " + type + " is not a scalar type");
    };
  }
}
