package dev.featurestore.offline;

import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Entity tables uploaded over Flight, kept as Parquet files in a directory of their own until their retention ends
 * (checked at each upload) or the service closes. Thread-safe: each upload writes its own file.
 */
final class EntityUploads implements AutoCloseable {
  private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Path directory;
  private final Duration retention;
  private final Clock clock;

  EntityUploads(Path directory, Duration retention, Clock clock) {
    this.directory = directory;
    this.retention = retention;
    this.clock = clock;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create upload directory '" + directory + "': " + e.getMessage(), e);
    }
  }

  /**
   * Reads every batch of {@code stream} into a new upload and returns its id.
   *
   * @throws InvalidRequestException naming the column when a column's Arrow type is no value type
   */
  String store(FlightStream stream) {
    expireOld();
    VectorSchemaRoot root = stream.getRoot();
    for (Field field : root.getSchema().getFields()) {
      if (ArrowValues.valueTypeOf(field) == null) {
        throw new InvalidRequestException("Cannot upload entity table: column '" + field.getName() + "' has Arrow type "
            + field.getType() + ", which training sets cannot read (use bool, int32, int64, float32, float64, utf8,"
            + " binary, timestamp or a list of one)");
      }
    }
    String id = UUID.randomUUID().toString();
    ParquetSink sink = new ParquetSink(fileOf(id));
    sink.begin(root);
    try {
      while (stream.next()) {
        sink.write(root);
      }
      sink.finish();
    } catch (RuntimeException e) {
      sink.abort(e);
      throw e;
    }
    return id;
  }

  /**
   * The file of an upload.
   *
   * @throws NotFoundException when there is no such upload (never made, expired or the server restarted)
   */
  Path find(String id) {
    if (!ID.matcher(id).matches()) {
      throw new InvalidRequestException("Cannot build training set: upload id '" + id + "' is malformed");
    }
    Path file = fileOf(id);
    if (!Files.isRegularFile(file)) {
      throw new NotFoundException("Cannot build training set: upload '" + id + "' does not exist (uploads are kept "
          + retention + " and until the server stops)");
    }
    return file;
  }

  private Path fileOf(String id) {
    return directory.resolve(id + ".parquet");
  }

  private void expireOld() {
    long oldest = clock.millis() - retention.toMillis();
    try (Stream<Path> files = Files.list(directory)) {
      files.filter(file -> modifiedMillis(file) < oldest).forEach(EntityUploads::delete);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list upload directory '" + directory + "': " + e.getMessage(), e);
    }
  }

  private static long modifiedMillis(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return Long.MAX_VALUE; // gone meanwhile: nothing to expire
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // best effort: retried at the next upload
    }
  }

  @Override
  public void close() {
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(EntityUploads::delete);
    } catch (IOException ignored) {
      // best effort: the directory is the service's own
    }
  }
}
