package dev.featurestore.offline;

import dev.featurestore.api.error.InvalidRequestException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
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
 * The rows of an input file as read, before any typing: CSV cells as strings (an empty cell is null), Parquet values
 * in Iceberg's generic representation with the column types of the file.
 *
 * @param columns column names in file order
 * @param types the Iceberg type of each column, or null for every column of a CSV file
 * @param rows one array per row, parallel to {@code columns}
 */
record InputTable(String fileName, List<String> columns, List<Type> types, List<Object[]> rows) {

  boolean isCsv() {
    return types == null;
  }

  int indexOf(String column) {
    return columns.indexOf(column);
  }

  /**
   * Reads a whole {@code .csv} or {@code .parquet} file.
   *
   * @param action the start of every message, e.g. "Cannot ingest 'x.csv' into view 'v'"
   * @throws InvalidRequestException when the file is missing, unreadable or of another kind
   */
  static InputTable read(Path file, String action) {
    String name = file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    if (!Files.isRegularFile(file)) {
      throw new InvalidRequestException(action + ": file '" + file + "' does not exist");
    }
    try {
      InputTable table;
      if (lower.endsWith(".csv")) {
        table = readCsv(file, name);
      } else if (lower.endsWith(".parquet")) {
        table = readParquet(file, name);
      } else {
        throw new InvalidRequestException(action + ": only .csv and .parquet files are supported");
      }
      Set<String> seen = new HashSet<>();
      for (String column : table.columns()) {
        if (!seen.add(column)) {
          throw new InvalidRequestException(action + ": column '" + column + "' appears twice");
        }
      }
      return table;
    } catch (NoSuchFileException e) {
      throw new InvalidRequestException(action + ": file '" + file + "' does not exist");
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidRequestException invalid) {
        throw invalid;
      }
      throw new InvalidRequestException(action + ": the file is not readable (" + e.getMessage() + ")", e);
    }
  }

  private static InputTable readCsv(Path file, String name) throws IOException {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = format.parse(reader)) {
      List<String> columns = parser.getHeaderNames().stream().map(String::trim).toList();
      List<Object[]> rows = new ArrayList<>();
      for (CSVRecord record : parser) {
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < columns.size() && i < record.size(); i++) {
          String cell = record.get(i);
          row[i] = cell.isEmpty() ? null : cell;
        }
        rows.add(row);
      }
      return new InputTable(name, columns, null, rows);
    }
  }

  private static InputTable readParquet(Path file, String name) throws IOException {
    MessageType fileType;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      fileType = reader.getFileMetaData().getSchema();
    }
    // Files written outside Iceberg carry no field ids: give them positional ids and read by name through a mapping
    Schema schema = ParquetSchemaUtil.convert(
        ParquetSchemaUtil.hasIds(fileType) ? fileType : ParquetSchemaUtil.addFallbackIds(fileType));
    NameMapping mapping = MappingUtil.create(schema);
    List<String> columns = schema.columns().stream().map(Types.NestedField::name).toList();
    List<Type> types = schema.columns().stream().map(Types.NestedField::type).toList();
    List<Object[]> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = Parquet.read(org.apache.iceberg.Files.localInput(file.toFile()))
        .project(schema)
        .withNameMapping(mapping)
        .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
        .build()) {
      for (Record record : records) {
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
          row[i] = record.get(i);
        }
        rows.add(row);
      }
    }
    return new InputTable(name, columns, types, rows);
  }
}
