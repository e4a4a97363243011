package dev.featurestore.offline;

import static dev.featurestore.api.ValueType.DOUBLE;
import static dev.featurestore.api.ValueType.INT64;
import static dev.featurestore.api.ValueType.STRING;
import static dev.featurestore.api.ValueType.TIMESTAMP;
import static dev.featurestore.offline.TestFiles.micros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.registry.Registries;
import dev.featurestore.registry.Registry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training sets over a real Arrow Flight server and client (the Java one, and pyarrow's where Python can have it),
 * against the Parquet training set of the same rows.
 */
class TrainingSetFlightIT {
  private static final FeatureView TXN = FeatureView.builder("txn")
      .entity("user")
      .feature("amount", DOUBLE)
      .feature("tag", STRING)
      .build();
  private static final Definitions DEFS = TestFiles.definitions(TXN);
  private static final List<String> ENTITY_COLUMNS = List.of("user_id", "event_timestamp", "label");
  private static final ValueType[] ENTITY_TYPES = {INT64, TIMESTAMP, STRING};

  @TempDir Path dir;
  private OfflineStore store;
  private TrainingSetFlightService service;
  private BufferAllocator allocator;
  private FlightClient client;

  @BeforeEach
  void start() {
    // batches of 2 rows and a tiny budget: the stream has several batches and every sort spills
    store = OfflineStores.local(dir.resolve("warehouse"), TrainingSetOptions.builder().batchRows(2)
        .memoryBudgetBytes(500).spillDirectory(dir.resolve("spill")).build());
    store.ingest(DEFS, "txn", TestFiles.csv(dir, "txn.csv",
        "user_id,event_timestamp,created_timestamp,amount,tag",
        "1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0,a",
        "1,2024-01-01T11:00:00Z,2024-01-05T00:00:00Z,2.0,late",
        "2,2024-01-01T08:00:00Z,2024-01-01T08:00:00Z,5.0,b",
        "3,2024-01-02T08:00:00Z,2024-01-02T08:00:00Z,7.0,"), ProgressListener.NONE);
    service = OfflineStores.flightService(store, () -> DEFS,
        FlightServiceOptions.builder().port(0).uploadDirectory(dir.resolve("uploads")).build());
    allocator = new RootAllocator();
    client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", service.port())).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    client.close();
    service.close();
    allocator.close();
    store.close();
  }

  private static final Object[][] ENTITIES = {
      {2L, micros("2024-01-01T12:00:00Z"), "x"},
      {1L, micros("2024-01-01T12:00:00Z"), "y"},
      {1L, micros("2024-01-01T09:00:00Z"), null},
      {9L, micros("2024-01-01T12:00:00Z"), "no data"},
      {3L, micros("2024-01-03T00:00:00Z"), "null tag"},
  };

  /** The entity rows with txn:amount and txn:tag joined, point in time, with every write counted. */
  private static final List<List<Object>> AMOUNT_AND_TAG = List.of(
      List.of(2L, micros("2024-01-01T12:00:00Z"), "x", 5.0, "b"),
      List.of(1L, micros("2024-01-01T12:00:00Z"), "y", 2.0, "late"),
      Arrays.asList(1L, micros("2024-01-01T09:00:00Z"), null, null, null),
      Arrays.asList(9L, micros("2024-01-01T12:00:00Z"), "no data", null, null),
      Arrays.asList(3L, micros("2024-01-03T00:00:00Z"), "null tag", 7.0, null));

  @Test
  void doPutThenDoGet_entityTable_equalsParquetTrainingSet() {
    byte[] ticket = upload("{\"features\": [\"txn:amount\", \"txn:tag\"]}");
    List<List<Object>> flight = fetch(ticket);

    List<List<Object>> parquet = parquetTrainingSet(List.of(FeatureRef.of("txn", "amount"), FeatureRef.of("txn",
        "tag")), TrainingSetRequest.Visibility.ALL_WRITES);
    assertThat(flight).containsExactlyElementsOf(parquet);
    assertThat(flight).containsExactlyElementsOf(AMOUNT_AND_TAG);
  }

  @Test
  void doGet_asKnownAt_ignoresLateBackfillWhichIsUsedWithoutIt() {
    List<List<Object>> allWrites = fetch(upload("{\"features\": [\"txn:amount\"]}"));
    List<List<Object>> asKnownAt = fetch(upload("{\"features\": [\"txn:amount\"], \"as_known_at\": true}"));

    assertThat(allWrites.get(1)).containsExactly(1L, micros("2024-01-01T12:00:00Z"), "y", 2.0);
    assertThat(asKnownAt.get(1)).containsExactly(1L, micros("2024-01-01T12:00:00Z"), "y", 1.0);
    assertThat(asKnownAt).containsExactlyElementsOf(
        parquetTrainingSet(List.of(FeatureRef.of("txn", "amount")), TrainingSetRequest.Visibility.AS_KNOWN_AT));
  }

  @Test
  void doGet_ticketNamingAFileOnTheServer_equalsUpload() {
    Path entities = entityParquet();
    String command = "{\"features\": [\"txn:*\"], \"full_feature_names\": true, \"entity_path\": \""
        + entities.toString().replace("\\", "\\\\") + "\"}";

    List<List<Object>> byPath = fetch(command.getBytes(StandardCharsets.UTF_8));

    assertThat(byPath).containsExactlyElementsOf(fetch(upload("{\"features\": [\"txn:*\"]}")));
    try (FlightStream stream = client.getStream(new Ticket(command.getBytes(StandardCharsets.UTF_8)))) {
      assertThat(stream.getRoot().getSchema().getFields()).extracting(Field::getName)
          .containsExactly("user_id", "event_timestamp", "label", "txn__amount", "txn__tag");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void doPut_unknownView_isNotFoundNamingIt() {
    assertThatThrownBy(() -> upload("{\"features\": [\"nope:amount\"]}"))
        .isInstanceOfSatisfying(FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND))
        .hasMessageContaining("'nope'");
  }

  @Test
  void doGet_malformedTicket_isInvalidArgumentNamingTheField() {
    byte[] ticket = "{\"features\": [\"txn:amount\"], \"as_known_at\": \"yes\"}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> fetch(ticket))
        .isInstanceOfSatisfying(FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
        .hasMessage("Cannot read training-set command: field 'as_known_at' must be true or false, not \"yes\"");
  }

  @Test
  void doGet_entitiesWithoutTheJoinKey_isInvalidArgumentNamingTheColumn() {
    Path entities = TestFiles.csv(dir, "nokey.csv", "event_timestamp", "2024-01-01T12:00:00Z");
    String command = "{\"features\": [\"txn:amount\"], \"entity_path\": \"" + entities + "\"}";

    assertThatThrownBy(() -> fetch(command.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
        .hasMessage("Cannot build training set from 'nokey.csv': join key column 'user_id' (INT64) of view 'txn' is"
            + " missing");
    // the service keeps serving
    assertThat(fetch(upload("{\"features\": [\"txn:amount\"]}"))).hasSize(ENTITIES.length);
  }

  @Test
  void getFlightInfoThenDoGet_plainFlightClient_streamsTheParquetTrainingSet() throws Exception {
    // as pyarrow's client.get_flight_info(FlightDescriptor.for_command(...)) then client.do_get(endpoint.ticket)
    String command = "{\"features\": [\"txn:amount\", \"txn:tag\"], \"entity_path\": \""
        + entityParquet().toString().replace("\\", "\\\\") + "\"}";

    FlightInfo info = client.getInfo(FlightDescriptor.command(command.getBytes(StandardCharsets.UTF_8)));

    assertThat(info.getRecords()).isEqualTo(ENTITIES.length);
    assertThat(info.getEndpoints()).hasSize(1);
    assertThat(info.getEndpoints().get(0).getLocations()).isEmpty(); // fetched from this same service
    Ticket ticket = info.getEndpoints().get(0).getTicket();
    try (FlightStream stream = client.getStream(ticket)) {
      assertThat(stream.getSchema()).isEqualTo(info.getSchema());
    }
    assertThat(info.getSchema().getFields()).extracting(Field::getName)
        .containsExactly("user_id", "event_timestamp", "label", "amount", "tag");
    assertThat(fetch(ticket.getBytes())).containsExactlyElementsOf(parquetTrainingSet(
        List.of(FeatureRef.of("txn", "amount"), FeatureRef.of("txn", "tag")), TrainingSetRequest.Visibility.ALL_WRITES));
    assertThat(client.getSchema(FlightDescriptor.command(command.getBytes(StandardCharsets.UTF_8))).getSchema())
        .isEqualTo(info.getSchema());
  }

  @Test
  void getFlightInfo_ofDoPutTicket_describesTheUploadAndStreamsIt() throws Exception {
    byte[] putTicket = upload("{\"features\": [\"txn:*\"], \"full_feature_names\": true}");

    FlightInfo info = client.getInfo(FlightDescriptor.command(putTicket));

    assertThat(info.getRecords()).isEqualTo(ENTITIES.length);
    try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
      assertThat(stream.getSchema()).isEqualTo(info.getSchema());
    }
    assertThat(info.getSchema().getFields()).extracting(Field::getName)
        .containsExactly("user_id", "event_timestamp", "label", "txn__amount", "txn__tag");
    assertThat(fetch(info.getEndpoints().get(0).getTicket().getBytes())).containsExactlyElementsOf(fetch(putTicket));
  }

  @Test
  void getFlightInfo_csvEntities_hasUnknownRowCountAndTheStreamedSchema() throws Exception {
    Path entities = TestFiles.csv(dir, "entities.csv", "user_id,event_timestamp,label",
        "1,2024-01-01T12:00:00Z,y", "2,2024-01-01T12:00:00Z,x");
    byte[] command = ("{\"features\": [\"txn:amount\"], \"entity_path\": \"" + entities + "\"}")
        .getBytes(StandardCharsets.UTF_8);

    FlightInfo info = client.getInfo(FlightDescriptor.command(command));

    assertThat(info.getRecords()).isEqualTo(-1);
    try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
      assertThat(stream.getSchema()).isEqualTo(info.getSchema());
    }
    assertThat(fetch(command)).containsExactly(
        List.of(1L, micros("2024-01-01T12:00:00Z"), "y", 2.0), List.of(2L, micros("2024-01-01T12:00:00Z"), "x", 5.0));
  }

  @Test
  void getFlightInfo_withoutEntities_isInvalidArgumentSayingWhatToGive() {
    byte[] command = "{\"features\": [\"txn:amount\"]}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> client.getInfo(FlightDescriptor.command(command)))
        .isInstanceOfSatisfying(FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
        .hasMessage("Cannot build training set: the request names no entities (give 'entity_path', or DoPut them"
            + " first)");
  }

  @Test
  void doGet_endsWithTheManifestOfTheCommandLine() {
    Path entities = entityParquet();
    String command = "{\"features\": [\"txn:amount\", \"txn:tag\"], \"entity_path\": \"" + entities + "\"}";

    Fetched flight = fetchWithManifest(command.getBytes(StandardCharsets.UTF_8));

    TrainingSetManifest cli = store.trainingSet(DEFS, TrainingSetRequest.forFeatures(entities,
        List.of(FeatureRef.of("txn", "amount"), FeatureRef.of("txn", "tag")), dir.resolve("cli.parquet")),
        ProgressListener.NONE).manifest();
    TrainingSetManifest manifest = flight.manifest();
    assertThat(manifest.contentHash()).isEqualTo(cli.contentHash());
    assertThat(manifest.snapshotIds()).isEqualTo(cli.snapshotIds()).containsOnlyKeys("txn");
    assertThat(manifest.entitySha256()).isEqualTo(cli.entitySha256());
    assertThat(manifest.entityFile()).isEqualTo(cli.entityFile());
    assertThat(manifest.rows()).isEqualTo(ENTITIES.length).isEqualTo(flight.rows().size());
    assertThat(manifest.features()).isEqualTo(cli.features());
    assertThat(manifest.definitionsVersion()).isZero();
    assertThat(manifest.output()).isNull();
  }

  @Test
  void doGet_asOfManifest_afterMoreDataIngested_returnsTheSameRowsAndContentHash() {
    try (Registry registry = Registries.embedded(dir.resolve("registry"));
        TrainingSetFlightService versioned = OfflineStores.flightService(store, registry,
            FlightServiceOptions.builder().port(0).uploadDirectory(dir.resolve("uploads-2")).build());
        FlightClient versionedClient = FlightClient.builder(allocator,
            Location.forGrpcInsecure("127.0.0.1", versioned.port())).build()) {
      long version = registry.apply(DEFS, 0).snapshot().version();
      Fetched original = fetchWithManifest(versionedClient, upload(versionedClient, "{\"features\": [\"txn:*\"]}"));
      store.ingest(DEFS, "txn", TestFiles.csv(dir, "more.csv",
          "user_id,event_timestamp,created_timestamp,amount,tag",
          "2,2024-01-01T11:00:00Z,2024-01-01T11:00:00Z,50.0,new",
          "9,2024-01-01T11:00:00Z,2024-01-01T11:00:00Z,90.0,new"), ProgressListener.NONE);
      Fetched latest = fetchWithManifest(versionedClient, upload(versionedClient, "{\"features\": [\"txn:*\"]}"));
      String asOf = "{\"as_of\": " + new String(ManifestCodec.toJson(original.manifest()), StandardCharsets.UTF_8)
          + "}";

      Fetched reuploaded = fetchWithManifest(versionedClient, upload(versionedClient, asOf));
      Fetched byManifestFile = fetchWithManifest(versionedClient, asOf.getBytes(StandardCharsets.UTF_8));

      assertThat(original.manifest().definitionsVersion()).isEqualTo(version);
      assertThat(latest.manifest().contentHash()).isNotEqualTo(original.manifest().contentHash());
      assertThat(latest.rows()).isNotEqualTo(original.rows());
      for (Fetched again : List.of(reuploaded, byManifestFile)) {
        assertThat(again.rows()).containsExactlyElementsOf(original.rows());
        assertThat(again.manifest().contentHash()).isEqualTo(original.manifest().contentHash());
        assertThat(again.manifest().snapshotIds()).isEqualTo(original.manifest().snapshotIds());
        assertThat(again.manifest().definitionsVersion()).isEqualTo(version);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void doGet_asOfManifest_otherEntities_isInvalidArgumentNamingBothSha256() {
    Fetched original = fetchWithManifest(upload("{\"features\": [\"txn:amount\"]}"));
    Path other = TestFiles.csv(dir, "other.csv", "user_id,event_timestamp", "1,2024-01-01T12:00:00Z");
    String asOf = "{\"as_of\": " + new String(ManifestCodec.toJson(original.manifest()), StandardCharsets.UTF_8)
        + ", \"entity_path\": \"" + other + "\"}";

    assertThatThrownBy(() -> fetch(asOf.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
        .hasMessageStartingWith("Cannot build training set from 'other.csv' as of its manifest: the entity file"
            + " changed since (sha256 ")
        .hasMessageEndingWith(", the manifest has " + original.manifest().entitySha256() + ")");
  }

  @Test
  void doGet_asOfWithFeatures_isInvalidArgumentNamingTheField() {
    Fetched original = fetchWithManifest(upload("{\"features\": [\"txn:amount\"]}"));
    String asOf = "{\"as_of\": " + new String(ManifestCodec.toJson(original.manifest()), StandardCharsets.UTF_8)
        + ", \"as_known_at\": true}";

    assertThatThrownBy(() -> fetch(asOf.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
        .hasMessage("Cannot read training-set command: field 'as_known_at' cannot go with 'as_of': the manifest says"
            + " it");
  }

  @Test
  void pyarrowClient_readmeCalls_getTheParquetTrainingSetItsManifestAndErrors() throws IOException {
    // the README's Python calls made by pyarrow's own Flight client, not the Java one
    Path python = PythonWithPyarrow.find(Path.of("target", "pyarrow-venv").toAbsolutePath());
    Path entityFile = entityParquet();
    Path expectedFile = dir.resolve("expected.parquet");
    TrainingSetManifest expected = store.trainingSet(DEFS, TrainingSetRequest.forFeatures(entityFile,
        List.of(FeatureRef.of("txn", "amount"), FeatureRef.of("txn", "tag")), expectedFile), ProgressListener.NONE)
        .manifest();
    List<List<Object>> expectedRows = parquetRows(expectedFile);
    Path script = dir.resolve("pyarrow_flight_client.py");
    try (InputStream in = getClass().getResourceAsStream("/pyarrow_flight_client.py")) {
      Files.copy(in, script);
    }

    PythonWithPyarrow.Result result = PythonWithPyarrow.run(List.of(python.toString(), script.toString(),
        Integer.toString(service.port()), entityFile.toString(), "txn:amount", "txn:tag"), 120);

    assertThat(result.exitCode()).as("pyarrow client failed:%n%s", result.stderr()).isZero();
    ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);
    JsonNode out = json.readTree(result.stdout());
    assertThat(expectedRows).containsExactlyElementsOf(AMOUNT_AND_TAG);
    assertThat(out.get("info_records").asLong()).isEqualTo(expectedRows.size());
    assertThat(json.convertValue(out.get("info_columns"), new TypeReference<List<String>>() {}))
        .containsExactly("user_id", "event_timestamp", "label", "amount", "tag");
    for (String call : List.of("by_path", "by_upload", "as_of")) {
      assertThat(json.convertValue(out.get(call), new TypeReference<List<List<Object>>>() {})).as(call)
          .containsExactlyElementsOf(expectedRows);
    }
    assertThat(out.get("manifest").get("content_hash").asText()).isEqualTo(expected.contentHash());
    assertThat(out.get("manifest").get("rows").asLong()).isEqualTo(expectedRows.size());
    assertThat(out.get("error").get("message").asText()).contains("'nope'");
  }

  /** The rows of a DoGet and the manifest of its last, metadata-only message. */
  private record Fetched(List<List<Object>> rows, TrainingSetManifest manifest) {}

  private Fetched fetchWithManifest(byte[] ticket) {
    return fetchWithManifest(client, ticket);
  }

  private static Fetched fetchWithManifest(FlightClient client, byte[] ticket) {
    List<List<Object>> rows = new ArrayList<>();
    try (FlightStream stream = client.getStream(new Ticket(ticket))) {
      VectorSchemaRoot root = stream.getRoot();
      while (stream.next()) {
        rows.addAll(rowsOf(root)); // the metadata-only message leaves the root empty
      }
      ArrowBuf metadata = stream.getLatestMetadata();
      byte[] json = new byte[(int) metadata.readableBytes()];
      metadata.getBytes(0, json);
      return new Fetched(rows, ManifestCodec.fromJson(json, "DoGet metadata"));
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private byte[] upload(String command) {
    return upload(client, command);
  }

  private byte[] upload(FlightClient client, String command) {
    try (VectorSchemaRoot root = entityRoot()) {
      SyncPutListener listener = new SyncPutListener();
      FlightClient.ClientStreamListener put =
          client.startPut(FlightDescriptor.command(command.getBytes(StandardCharsets.UTF_8)), root, listener);
      put.putNext();
      put.completed();
      put.getResult(); // throws the call's failure
      try (PutResult result = listener.read()) {
        byte[] ticket = new byte[(int) result.getApplicationMetadata().readableBytes()];
        result.getApplicationMetadata().getBytes(0, ticket);
        return ticket;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CallStatus.CANCELLED.toRuntimeException();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new AssertionError(e);
    }
  }

  private List<List<Object>> fetch(byte[] ticket) {
    List<List<Object>> rows = new ArrayList<>();
    try (FlightStream stream = client.getStream(new Ticket(ticket))) {
      VectorSchemaRoot root = stream.getRoot();
      while (stream.next()) {
        rows.addAll(rowsOf(root));
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return rows;
  }

  private List<List<Object>> parquetTrainingSet(List<FeatureRef> refs, TrainingSetRequest.Visibility visibility) {
    Path output = dir.resolve("out.parquet");
    store.trainingSet(DEFS, TrainingSetRequest.forFeatures(entityParquet(), refs, output).withVisibility(visibility),
        ProgressListener.NONE);
    return parquetRows(output);
  }

  /** The rows of a training-set Parquet file, values as the Java client reads them. */
  private static List<List<Object>> parquetRows(Path output) {
    List<List<Object>> rows = new ArrayList<>();
    EntityFile file = EntityFile.open(output, "read");
    List<org.apache.iceberg.types.Type> types = file.header().types();
    file.forEach((values, row) -> {
      List<Object> canonical = new ArrayList<>();
      for (int c = 0; c < values.length; c++) {
        canonical.add(ViewSchemas.fromIceberg(values[c], ViewSchemas.valueTypeOf(types.get(c))));
      }
      rows.add(canonical);
    });
    return rows;
  }

  /** The entity rows as a Parquet file, written through the same Arrow schema the upload has. */
  private Path entityParquet() {
    Path file = dir.resolve("entities.parquet");
    try (VectorSchemaRoot root = entityRoot()) {
      ParquetSink sink = new ParquetSink(file);
      sink.begin(root);
      sink.write(root);
      sink.finish();
    }
    return file;
  }

  private VectorSchemaRoot entityRoot() {
    List<Field> fields = new ArrayList<>();
    for (int c = 0; c < ENTITY_COLUMNS.size(); c++) {
      fields.add(ArrowValues.field(ENTITY_COLUMNS.get(c), ENTITY_TYPES[c]));
    }
    VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator);
    root.allocateNew();
    for (int r = 0; r < ENTITIES.length; r++) {
      for (int c = 0; c < ENTITY_TYPES.length; c++) {
        ArrowValues.set(root.getVector(c), r, ENTITIES[r][c], ENTITY_TYPES[c]);
      }
    }
    root.setRowCount(ENTITIES.length);
    return root;
  }

  private static List<List<Object>> rowsOf(VectorSchemaRoot root) {
    List<List<Object>> rows = new ArrayList<>();
    List<FieldVector> vectors = root.getFieldVectors();
    for (int r = 0; r < root.getRowCount(); r++) {
      List<Object> row = new ArrayList<>();
      for (FieldVector vector : vectors) {
        row.add(ArrowValues.get(vector, r, ArrowValues.valueTypeOf(vector.getField())));
      }
      rows.add(row);
    }
    return rows;
  }
}
