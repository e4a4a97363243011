package dev.featurestore.offline;

import static dev.featurestore.api.ValueType.DOUBLE;
import static dev.featurestore.api.ValueType.INT64;
import static dev.featurestore.api.ValueType.STRING;
import static dev.featurestore.api.ValueType.TIMESTAMP;
import static dev.featurestore.offline.TestFiles.micros;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureView;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training-set Flight service answering pyarrow's own Flight client (the README's Python calls), not only the
 * Java one: GetFlightInfo and DoGet with the manifest as app metadata, DoPut of a table pyarrow read, DoGet as of the
 * manifest, and an error status. pyarrow is installed into a virtual environment under {@code target/} with the
 * machine's pip; where Python or pyarrow cannot be had the test is skipped, saying why.
 */
class TrainingSetFlightPyarrowIT {
  private static final FeatureView TXN = FeatureView.builder("txn")
      .entity("user")
      .feature("amount", DOUBLE)
      .feature("tag", STRING)
      .build();
  private static final Definitions DEFS = TestFiles.definitions(TXN);
  private static final List<FeatureRef> FEATURES = List.of(FeatureRef.of("txn", "amount"), FeatureRef.of("txn",
      "tag"));
  private static final Path VENV = Path.of("target", "pyarrow-venv").toAbsolutePath();
  private static final List<String> ENTITY_COLUMNS = List.of("user_id", "event_timestamp", "label");
  private static final ValueType[] ENTITY_TYPES = {INT64, TIMESTAMP, STRING};
  private static final Object[][] ENTITIES = {
      {2L, micros("2024-01-01T12:00:00Z"), "x"},
      {1L, micros("2024-01-01T12:00:00Z"), "y"},
      {1L, micros("2024-01-01T09:00:00Z"), null},
      {9L, micros("2024-01-01T12:00:00Z"), "no data"},
      {3L, micros("2024-01-03T00:00:00Z"), "null tag"},
  };
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);

  private static Path python;

  @TempDir Path dir;
  private OfflineStore store;
  private TrainingSetFlightService service;

  @BeforeAll
  static void pyarrow() {
    python = PythonWithPyarrow.find(VENV);
  }

  @BeforeEach
  void start() {
    store = OfflineStores.local(dir.resolve("warehouse"), TrainingSetOptions.builder().batchRows(2).build());
    store.ingest(DEFS, "txn", TestFiles.csv(dir, "txn.csv",
        "user_id,event_timestamp,created_timestamp,amount,tag",
        "1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0,a",
        "1,2024-01-01T11:00:00Z,2024-01-05T00:00:00Z,2.0,late",
        "2,2024-01-01T08:00:00Z,2024-01-01T08:00:00Z,5.0,b",
        "3,2024-01-02T08:00:00Z,2024-01-02T08:00:00Z,7.0,"), ProgressListener.NONE);
    service = OfflineStores.flightService(store, () -> DEFS,
        FlightServiceOptions.builder().port(0).uploadDirectory(dir.resolve("uploads")).build());
  }

  @AfterEach
  void stop() throws InterruptedException {
    service.close();
    store.close();
  }

  @Test
  void pyarrowClient_readmeCalls_getTheParquetTrainingSetItsManifestAndErrors() throws IOException {
    Path entityFile = entityParquet();
    Path expectedFile = dir.resolve("expected.parquet");
    TrainingSetManifest expected = store.trainingSet(DEFS,
        TrainingSetRequest.forFeatures(entityFile, FEATURES, expectedFile), ProgressListener.NONE).manifest();
    List<List<Object>> expectedRows = parquetRows(expectedFile);

    JsonNode out = runClient(entityFile, "txn:amount", "txn:tag");

    assertThat(expectedRows).containsExactly(
        List.of(2L, micros("2024-01-01T12:00:00Z"), "x", 5.0, "b"),
        List.of(1L, micros("2024-01-01T12:00:00Z"), "y", 2.0, "late"),
        Arrays.asList(1L, micros("2024-01-01T09:00:00Z"), null, null, null),
        Arrays.asList(9L, micros("2024-01-01T12:00:00Z"), "no data", null, null),
        Arrays.asList(3L, micros("2024-01-03T00:00:00Z"), "null tag", 7.0, null));
    assertThat(out.get("info_records").asLong()).isEqualTo(expectedRows.size());
    assertThat(JSON.convertValue(out.get("info_columns"), new TypeReference<List<String>>() {}))
        .containsExactly("user_id", "event_timestamp", "label", "amount", "tag");
    for (String call : List.of("by_path", "by_upload", "as_of")) {
      assertThat(rowsOf(out.get(call))).as(call).containsExactlyElementsOf(expectedRows);
    }
    JsonNode manifest = out.get("manifest");
    assertThat(manifest.get("content_hash").asText()).isEqualTo(expected.contentHash());
    assertThat(manifest.get("rows").asLong()).isEqualTo(expectedRows.size());
    assertThat(out.get("error").get("message").asText()).contains("'nope'");
  }

  /** Runs the Python client on this test's service and returns what it printed. */
  private JsonNode runClient(Path entityFile, String... features) throws IOException {
    List<String> command = new ArrayList<>(List.of(python.toString(), script().toString(),
        Integer.toString(service.port()), entityFile.toString()));
    command.addAll(List.of(features));
    PythonWithPyarrow.Result result = PythonWithPyarrow.run(command, 120);
    assertThat(result.exitCode()).as("pyarrow client failed:%n%s", result.stderr()).isZero();
    return JSON.readTree(result.stdout());
  }

  private Path script() throws IOException {
    Path script = dir.resolve("pyarrow_flight_client.py");
    try (InputStream in = getClass().getResourceAsStream("/pyarrow_flight_client.py")) {
      Files.copy(in, script);
    }
    return script;
  }

  /** The entity rows as a Parquet file, written through Arrow vectors as an upload would be. */
  private Path entityParquet() {
    Path file = dir.resolve("entities.parquet");
    List<Field> fields = new ArrayList<>();
    for (int c = 0; c < ENTITY_COLUMNS.size(); c++) {
      fields.add(ArrowValues.field(ENTITY_COLUMNS.get(c), ENTITY_TYPES[c]));
    }
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator)) {
      root.allocateNew();
      for (int r = 0; r < ENTITIES.length; r++) {
        for (int c = 0; c < ENTITY_TYPES.length; c++) {
          ArrowValues.set(root.getVector(c), r, ENTITIES[r][c], ENTITY_TYPES[c]);
        }
      }
      root.setRowCount(ENTITIES.length);
      ParquetSink sink = new ParquetSink(file);
      sink.begin(root);
      sink.write(root);
      sink.finish();
    }
    return file;
  }

  private static List<List<Object>> parquetRows(Path file) {
    List<List<Object>> rows = new ArrayList<>();
    EntityFile entityFile = EntityFile.open(file, "read");
    List<org.apache.iceberg.types.Type> types = entityFile.header().types();
    entityFile.forEach((values, row) -> {
      List<Object> canonical = new ArrayList<>();
      for (int c = 0; c < values.length; c++) {
        canonical.add(ViewSchemas.fromIceberg(values[c], ViewSchemas.valueTypeOf(types.get(c))));
      }
      rows.add(canonical);
    });
    return rows;
  }

  private static List<List<Object>> rowsOf(JsonNode rows) {
    return JSON.convertValue(rows, new TypeReference<List<List<Object>>>() {});
  }

  /** A Python interpreter that can import pyarrow.flight, made once into a virtual environment. */
  static final class PythonWithPyarrow {
    private PythonWithPyarrow() {}

    record Result(int exitCode, String stdout, String stderr) {}

    static Path find(Path venv) {
      Path python = venv.resolve("bin").resolve("python");
      if (Files.isExecutable(python) && importsPyarrow(python)) {
        return python;
      }
      Result created = run(List.of("python3", "-m", "venv", "--clear", venv.toString()), 120);
      Assumptions.assumeTrue(created.exitCode() == 0,
          () -> "Skipped: cannot make a Python virtual environment: " + created.stderr());
      Result installed = run(List.of(python.toString(), "-m", "pip", "install", "--quiet", "pyarrow"), 600);
      Assumptions.assumeTrue(installed.exitCode() == 0 && importsPyarrow(python),
          () -> "Skipped: cannot install pyarrow with pip here: " + installed.stderr());
      return python;
    }

    private static boolean importsPyarrow(Path python) {
      return run(List.of(python.toString(), "-c", "import pyarrow.flight"), 60).exitCode() == 0;
    }

    static Result run(List<String> command, long timeoutSeconds) {
      try {
        Path stdout = Files.createTempFile("python-out", ".txt");
        Path stderr = Files.createTempFile("python-err", ".txt");
        try {
          Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile()).start();
          if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, "", "timed out after " + timeoutSeconds + " s: " + command);
          }
          return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
              Files.readString(stderr, StandardCharsets.UTF_8));
        } finally {
          Files.deleteIfExists(stdout);
          Files.deleteIfExists(stderr);
        }
      } catch (IOException e) {
        // no python3 on the PATH at all
        return new Result(-1, "", e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UncheckedIOException(new IOException("Interrupted while running " + command, e));
      }
    }
  }
}
