package dev.featurestore.offline;

import dev.featurestore.api.error.InvalidRequestException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.data.parquet.InternalReader;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;

/**
 * An entity file read as a stream, as often as needed, without holding its rows: CSV cells as strings (an empty
 * cell is null), Parquet values in Iceberg's internal representation with every timestamp as micros (also those
 * the file holds in nanoseconds). {@link #header()} has
 * the columns and types (an {@link InputTable} without rows, for {@link InputColumn}).
 */
final class EntityFile {
  /** Receives each row; {@code row} is 0-based. The array is reused between calls. */
  @FunctionalInterface
  interface RowConsumer {
    void accept(Object[] values, long row);
  }

  private final Path file;
  private final InputTable header;
  private final Schema parquetSchema;
  /** Per column of a Parquet file, whether it holds nanosecond timestamps ({@link ViewSchemas#nanosecondColumns}). */
  private final boolean[] nanos;

  private EntityFile(Path file, InputTable header, Schema parquetSchema, boolean[] nanos) {
    this.file = file;
    this.header = header;
    this.parquetSchema = parquetSchema;
    this.nanos = nanos;
  }

  /**
   * Opens a {@code .csv} or {@code .parquet} file and reads its header.
   *
   * @param action the start of every message, e.g. "Cannot build training set from 'x.csv'"
   * @throws InvalidRequestException when the file is missing, unreadable, of another kind or has a column twice
   */
  static EntityFile open(Path file, String action) {
    String name = file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    if (!Files.isRegularFile(file)) {
      throw new InvalidRequestException(action + ": file '" + file + "' does not exist");
    }
    EntityFile opened;
    try {
      if (lower.endsWith(".csv")) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
            CSVParser parser = csvFormat().parse(reader)) {
          List<String> columns = parser.getHeaderNames().stream().map(String::trim).toList();
          opened = new EntityFile(file, new InputTable(name, columns, null, List.of()), null, null);
        }
      } else if (lower.endsWith(".parquet")) {
        MessageType fileType;
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
          fileType = reader.getFileMetaData().getSchema();
        }
        // files written outside Iceberg carry no field ids: give them positional ids and read by name
        Schema schema = ParquetSchemaUtil.convert(
            ParquetSchemaUtil.hasIds(fileType) ? fileType : ParquetSchemaUtil.addFallbackIds(fileType));
        List<String> columns = schema.columns().stream().map(Types.NestedField::name).toList();
        List<Type> types = schema.columns().stream().map(Types.NestedField::type).toList();
        opened = new EntityFile(file, new InputTable(name, columns, types, List.of()), schema,
            ViewSchemas.nanosecondColumns(fileType));
      } else {
        throw new InvalidRequestException(action + ": only .csv and .parquet files are supported");
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidRequestException invalid) {
        throw invalid;
      }
      throw new InvalidRequestException(action + ": the file is not readable (" + e.getMessage() + ")", e);
    }
    Set<String> seen = new HashSet<>();
    for (String column : opened.header.columns()) {
      if (!seen.add(column)) {
        throw new InvalidRequestException(action + ": column '" + column + "' appears twice");
      }
    }
    return opened;
  }

  InputTable header() {
    return header;
  }

  /** Reads every row, in file order; returns the row count. */
  long forEach(RowConsumer consumer) {
    int width = header.columns().size();
    Object[] values = new Object[width];
    long row = 0;
    try {
      if (parquetSchema == null) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
            CSVParser parser = csvFormat().parse(reader)) {
          for (CSVRecord record : parser) {
            for (int i = 0; i < width; i++) {
              String cell = i < record.size() ? record.get(i) : null;
              values[i] = cell == null || cell.isEmpty() ? null : cell;
            }
            consumer.accept(values, row++);
          }
        }
      } else {
        NameMapping mapping = MappingUtil.create(parquetSchema);
        // Iceberg's internal object model: timestamps as epoch micros, where the generic one made an OffsetDateTime
        // of every timestamp and the join turned it back into micros
        try (CloseableIterable<StructLike> records = Parquet.read(org.apache.iceberg.Files.localInput(file.toFile()))
            .project(parquetSchema)
            .withNameMapping(mapping)
            .<StructLike>createReaderFunc(fileSchema -> InternalReader.create(parquetSchema, fileSchema))
            .reuseContainers()
            .build()) {
          for (StructLike record : records) {
            for (int i = 0; i < width; i++) {
              Object value = record.get(i, Object.class);
              values[i] = nanos[i] ? ViewSchemas.nanosAsMicros(value) : value;
            }
            consumer.accept(values, row++);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read '" + file + "': " + e.getMessage(), e);
    }
    return row;
  }

  private static CSVFormat csvFormat() {
    return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
  }
}
