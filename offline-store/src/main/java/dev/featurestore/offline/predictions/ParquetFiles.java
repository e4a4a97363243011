package dev.featurestore.offline.predictions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;

/** Writes a local Parquet file so that a reader never sees a partial one. */
final class ParquetFiles {
  private ParquetFiles() {}

  static void writeAtomically(Schema schema, List<Record> records, Path output) {
    Path target = output.toAbsolutePath();
    Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.createDirectories(target.getParent());
      FileAppender<Record> appender = Parquet.write(org.apache.iceberg.Files.localOutput(temp.toFile()))
          .schema(schema)
          .createWriterFunc(GenericParquetWriter::create)
          .overwrite()
          .build();
      try (appender) {
        appender.addAll(records);
      }
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // best effort: the temporary file is hidden and named uniquely
      }
    }
  }
}
