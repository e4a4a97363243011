package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ParquetSink} and its {@link ColumnarParquetWriter} on real files, read back with Iceberg's Parquet reader:
 * every value type (scalars and lists), nulls, empty lists, batches larger and smaller than a slice, a file with no
 * rows; the footer carries the Iceberg schema, and nothing is visible before {@link ParquetSink#finish}.
 */
class ParquetSinkTest {
  private static final ValueType[] TYPES = ValueType.values();
  private final BufferAllocator allocator = new RootAllocator();
  @TempDir
  Path dir;

  @AfterEach
  void close() {
    assertThat(allocator.getAllocatedMemory()).as("buffers left allocated").isZero();
    allocator.close();
  }

  @Test
  void write_everyValueType_readsBackTheSameValuesInOrder() throws Exception {
    Random random = new Random(7);
    List<Object[]> expected = new ArrayList<>();
    Path output = dir.resolve("out.parquet");
    ParquetSink sink = new ParquetSink(output);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema(), allocator)) {
      sink.begin(root);
      // a batch over two slices of rows, one of a few rows, one empty, one of one row
      for (int rows : new int[] {9_000, 3, 0, 1}) {
        fill(root, rows, random, expected);
        sink.write(root);
      }
      assertThat(output).as("not visible before finish").doesNotExist();
      sink.finish();
    }

    List<Object[]> actual = new ArrayList<>();
    for (var row : TableFiles.read(output)) {
      List<Object> values = new ArrayList<>(row.values());
      Object[] canonical = new Object[TYPES.length];
      for (int c = 0; c < TYPES.length; c++) {
        canonical[c] = ViewSchemas.fromIceberg(values.get(c), TYPES[c]);
      }
      actual.add(canonical);
    }
    assertThat(actual).hasSameSizeAs(expected);
    for (int r = 0; r < expected.size(); r++) {
      assertThat(actual.get(r)).as("row %d", r).containsExactly(expected.get(r));
    }
    assertThat(TestFiles.parquetColumns(output)).containsExactlyElementsOf(
        Arrays.stream(TYPES).map(ParquetSinkTest::columnName).toList());
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(output))) {
      assertThat(reader.getFooter().getFileMetaData().getKeyValueMetaData()).containsKey("iceberg.schema");
      assertThat(reader.getFooter().getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum())
          .isEqualTo(expected.size());
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("no temporary file left").containsExactly(output);
    }
  }

  @Test
  void finish_noRows_writesAnEmptyFileWithTheSchema() {
    Path output = dir.resolve("empty.parquet");
    ParquetSink sink = new ParquetSink(output);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema(), allocator)) {
      sink.begin(root);
      sink.finish();
    }
    assertThat(TableFiles.read(output)).isEmpty();
    assertThat(TestFiles.parquetColumns(output)).hasSize(TYPES.length);
  }

  @Test
  void abort_leavesNoFile() {
    Path output = dir.resolve("aborted.parquet");
    ParquetSink sink = new ParquetSink(output);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema(), allocator)) {
      sink.begin(root);
      fill(root, 10, new Random(1), new ArrayList<>());
      sink.write(root);
      sink.abort(new IllegalStateException("the join failed"));
    }
    assertThat(dir).isEmptyDirectory();
  }

  private static Schema schema() {
    List<Field> fields = new ArrayList<>();
    for (ValueType type : TYPES) {
      fields.add(ArrowValues.field(columnName(type), type));
    }
    return new Schema(fields);
  }

  private static String columnName(ValueType type) {
    return type.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Fills {@code root} with {@code rows} random rows (a value in five null, a list in five empty), recorded. */
  private static void fill(VectorSchemaRoot root, int rows, Random random, List<Object[]> expected) {
    List<FieldVector> vectors = root.getFieldVectors();
    for (FieldVector vector : vectors) {
      vector.allocateNew();
    }
    for (int r = 0; r < rows; r++) {
      Object[] row = new Object[TYPES.length];
      for (int c = 0; c < TYPES.length; c++) {
        ValueType type = TYPES[c];
        if (random.nextInt(5) > 0) {
          row[c] = type.isList() ? list(type.elementType(), random) : scalar(type, random);
        }
        ArrowValues.set(vectors.get(c), r, row[c], type);
      }
      expected.add(row);
    }
    root.setRowCount(rows);
  }

  private static List<Object> list(ValueType element, Random random) {
    int size = random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(4);
    List<Object> items = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      items.add(scalar(element, random));
    }
    return List.copyOf(items);
  }

  private static Object scalar(ValueType type, Random random) {
    return switch (type) {
      case BOOL -> random.nextBoolean();
      case INT32 -> random.nextInt();
      case INT64 -> random.nextLong();
      case FLOAT -> random.nextFloat();
      case DOUBLE -> random.nextGaussian();
      // strings up to 200 bytes (past the writer's first scratch array), some repeated (dictionary hits)
      case STRING -> random.nextInt(3) == 0 ? "s" + random.nextInt(50) : "é".repeat(random.nextInt(100));
      case BYTES -> ByteBuffer.wrap(("b" + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8))
          .asReadOnlyBuffer();
      case TIMESTAMP -> random.nextLong() / 1_000_000;
      default -> throw new AssertionError(type);
    };
  }
}
