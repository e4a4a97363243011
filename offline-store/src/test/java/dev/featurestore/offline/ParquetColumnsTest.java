package dev.featurestore.offline;

import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BOOLEAN;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.DOUBLE;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.FLOAT;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.iceberg.Files;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ParquetColumns} with its page decoder ({@link PageColumn}, {@link HybridDecoder}) on files Parquet's own
 * writer made: pages V1 and V2, dictionary-encoded chunks (with the fallback to PLAIN in the middle of a chunk when
 * the dictionary outgrows its page) and PLAIN ones, every scalar type, nulls, many pages and row groups, values
 * read and skipped in turns. Each value read is the one written.
 */
class ParquetColumnsTest {
  private static final int ROWS = 20_000;
  private static final ValueType[] TYPES = {ValueType.INT64, ValueType.BOOL, ValueType.INT32, ValueType.INT64,
      ValueType.FLOAT, ValueType.DOUBLE, ValueType.STRING, ValueType.BYTES, ValueType.TIMESTAMP};
  private static final String[] NAMES = {"key", "flag", "count", "total", "ratio", "score", "tag", "blob", "at"};

  @TempDir
  Path dir;

  /**
   * {@code decoded}: the columns the page decoder reads, the others going to Parquet's reader; with pages V2,
   * Parquet's writer encodes integers and binaries without a dictionary as DELTA, booleans as RLE.
   */
  @ParameterizedTest(name = "{0}, dictionary {1}")
  @CsvSource({
      "PARQUET_1_0, true, at blob count flag key ratio score tag total",
      "PARQUET_1_0, false, at blob count flag key ratio score tag total",
      "PARQUET_2_0, true, blob count ratio score tag",
      "PARQUET_2_0, false, ratio score"})
  void columns_readAndSkipped_giveTheValuesWritten(WriterVersion version, boolean dictionary, String decoded)
      throws IOException {
    Path file = dir.resolve("data.parquet");
    List<Object[]> rows = write(file, version, dictionary);

    int row = 0;
    int rowGroups = 0;
    java.util.Set<String> decodedByPages = new java.util.TreeSet<>();
    try (ParquetColumns columns = ParquetColumns.open(Files.localInput(file.toFile()), projection(),
        List.of(TYPES))) {
      assertThat(columns).as("a file with field ids is covered").isNotNull();
      for (long count = columns.nextRowGroup(); count >= 0; count = columns.nextRowGroup()) {
        rowGroups++;
        for (int c = 0; c < TYPES.length; c++) {
          ParquetColumns.Column column = columns.column(c);
          if (column instanceof PageColumn) {
            decodedByPages.add(NAMES[c]);
          }
          for (int r = row; r < row + count; r++) {
            Object expected = rows.get(r)[c];
            // skip runs of one and of several rows between values read, differently per column
            if ((r + c) % 5 < 2) {
              column.skip();
            } else if (c == 0) {
              assertThat(column.isNull()).isFalse();
              assertThat(column.nextLong()).as("key of row %d", r).isEqualTo(expected);
            } else {
              assertThat(column.isNull()).as("%s of row %d is null", NAMES[c], r).isEqualTo(expected == null);
              assertThat(column.next()).as("%s of row %d", NAMES[c], r).isEqualTo(expected);
            }
          }
        }
        row += (int) count;
      }
    }
    assertThat(row).isEqualTo(ROWS);
    assertThat(rowGroups).as("several row groups").isGreaterThan(1);
    assertThat(decodedByPages).containsExactlyInAnyOrder(decoded.split(" "));
  }

  private static Schema projection() {
    return new Schema(
        Types.NestedField.required(1, "key", Types.LongType.get()),
        Types.NestedField.optional(2, "flag", Types.BooleanType.get()),
        Types.NestedField.optional(3, "count", Types.IntegerType.get()),
        Types.NestedField.optional(4, "total", Types.LongType.get()),
        Types.NestedField.optional(5, "ratio", Types.FloatType.get()),
        Types.NestedField.optional(6, "score", Types.DoubleType.get()),
        Types.NestedField.optional(7, "tag", Types.StringType.get()),
        Types.NestedField.optional(8, "blob", Types.BinaryType.get()),
        Types.NestedField.optional(9, "at", Types.TimestampType.withZone()));
  }

  /** Writes {@link #ROWS} random rows, a value in six null, half the columns of few distinct values. */
  private static List<Object[]> write(Path file, WriterVersion version, boolean dictionary) throws IOException {
    MessageType schema = org.apache.parquet.schema.Types.buildMessage()
        .required(INT64).id(1).named("key")
        .optional(BOOLEAN).id(2).named("flag")
        .optional(INT32).id(3).named("count")
        .optional(INT64).id(4).named("total")
        .optional(FLOAT).id(5).named("ratio")
        .optional(DOUBLE).id(6).named("score")
        .optional(BINARY).as(LogicalTypeAnnotation.stringType()).id(7).named("tag")
        .optional(BINARY).id(8).named("blob")
        .optional(INT64).as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
        .id(9).named("at")
        .named("table");
    Random random = new Random(version.ordinal() * 2L + (dictionary ? 1 : 0));
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    List<Object[]> rows = new ArrayList<>();
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withType(schema)
        .withWriterVersion(version)
        .withDictionaryEncoding(dictionary)
        // small pages, dictionaries and row groups: many of each, and dictionaries that fall back to PLAIN
        .withPageSize(2048)
        .withPageRowCountLimit(700)
        .withDictionaryPageSize(4096)
        .withRowGroupSize(96 * 1024L)
        .build()) {
      for (int r = 0; r < ROWS; r++) {
        Object[] row = {
            random.nextLong(),
            random.nextBoolean(),
            random.nextInt(40),
            random.nextLong(),
            (float) random.nextInt(30),
            random.nextGaussian(),
            "t" + random.nextInt(random.nextBoolean() ? 20 : 5000),
            ByteBuffer.wrap(("b" + random.nextInt(10)).getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer(),
            random.nextLong() / 1000,
        };
        Group group = groups.newGroup();
        for (int c = 0; c < row.length; c++) {
          if (c > 0 && random.nextInt(6) == 0) {
            row[c] = null;
            continue;
          }
          switch (TYPES[c]) {
            case BOOL -> group.append(NAMES[c], (Boolean) row[c]);
            case INT32 -> group.append(NAMES[c], (Integer) row[c]);
            case INT64, TIMESTAMP -> group.append(NAMES[c], (Long) row[c]);
            case FLOAT -> group.append(NAMES[c], (Float) row[c]);
            case DOUBLE -> group.append(NAMES[c], (Double) row[c]);
            case STRING -> group.append(NAMES[c], (String) row[c]);
            case BYTES -> group.append(NAMES[c], Binary.fromConstantByteBuffer(((ByteBuffer) row[c]).duplicate()));
            default -> throw new AssertionError(TYPES[c]);
          }
        }
        writer.write(group);
        rows.add(row);
      }
    }
    return rows;
  }
}
