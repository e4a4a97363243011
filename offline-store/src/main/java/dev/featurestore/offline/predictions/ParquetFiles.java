package dev.featurestore.offline.predictions;

import dev.featurestore.offline.internal.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;

/** Writes a local Parquet file so that a reader never sees a partial one. */
final class ParquetFiles {
  private ParquetFiles() {}

  static void writeAtomically(Schema schema, List<Record> records, Path output) {
    try {
      AtomicFiles.write(output, temp -> {
        FileAppender<Record> appender = Parquet.write(org.apache.iceberg.Files.localOutput(temp.toFile()))
            .schema(schema)
            .createWriterFunc(GenericParquetWriter::create)
            .overwrite()
            .build();
        try (appender) {
          appender.addAll(records);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
