package dev.featurestore.offline;

import static dev.featurestore.api.ValueType.INT64;
import static dev.featurestore.api.ValueType.STRING;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Definitions, CSV files and output readers shared by the tests. */
final class TestFiles {
  static final Entity USER = Entity.of("user", JoinKey.of("user_id", INT64));
  static final Entity MERCHANT = Entity.of("merchant", JoinKey.of("merchant_id", STRING));

  private TestFiles() {}

  static Definitions definitions(FeatureView... views) {
    return new Definitions(List.of(USER, MERCHANT), List.of(views), List.of());
  }

  static Definitions definitions(List<FeatureView> views, List<FeatureService> services) {
    return new Definitions(List.of(USER, MERCHANT), views, services);
  }

  static Path csv(Path dir, String name, String... lines) {
    try {
      Path file = dir.resolve(name);
      Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long micros(String iso) {
    Instant instant = Instant.parse(iso);
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
  }

  /** The rows of a Parquet file as column name to value, values in Iceberg's generic representation. */
  static List<Map<String, Object>> readParquet(Path file) {
    return TableFiles.read(file);
  }

  static List<String> parquetColumns(Path file) {
    return InputTable.read(file, "Cannot read test output").columns();
  }
}
