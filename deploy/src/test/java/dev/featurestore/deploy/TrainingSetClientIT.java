package dev.featurestore.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.deploy.server.FeatureServer;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.offline.OfflineStores;
import dev.featurestore.offline.ProgressListener;
import dev.featurestore.offline.TableFiles;
import dev.featurestore.offline.TrainingSetRequest;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.registry.Registries;
import dev.featurestore.registry.Registry;
import dev.featurestore.sdk.FetchedTrainingSet;
import dev.featurestore.sdk.TrainingSetClient;
import dev.featurestore.sdk.TrainingSetQuery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's {@link TrainingSetClient} against the real server's Flight service: the training set equals the Parquet
 * one of the same entity rows, and {@code as_known_at} ignores a late backfill that is used without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingSetClientIT {
  private static final Definitions DEFINITIONS = new Definitions(
      List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64))),
      List.of(FeatureView.builder("txn").entity("user").feature("amount", ValueType.DOUBLE).build()),
      List.of(FeatureService.of("fraud", FeatureRef.allOf("txn"))));
  private static final String[] ENTITY_CSV = {
      "user_id,event_timestamp,label",
      "1,2024-01-01T12:00:00Z,a",
      "2,2024-01-01T12:00:00Z,b",
      "1,2024-01-01T09:00:00Z,c",
  };

  private Path dir;
  private RedisServerProcess redis;
  private FeatureServer server;
  private Path data;

  @BeforeAll
  void start(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    redis = RedisServerProcess.start();
    data = dir.resolve("data");
    try (Registry registry = Registries.embedded(data)) {
      registry.apply(DEFINITIONS, registry.current().version());
    }
    Path rows = Files.writeString(dir.resolve("txn.csv"), String.join("\n",
        "user_id,event_timestamp,created_timestamp,amount",
        "1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0",
        "1,2024-01-01T11:00:00Z,2024-01-05T00:00:00Z,2.0", // a backfill written four days later
        "2,2024-01-01T08:00:00Z,2024-01-01T08:00:00Z,5.0") + "\n", StandardCharsets.UTF_8);
    try (OfflineStore offline = OfflineStores.local(data.resolve("warehouse"))) {
      offline.ingest(DEFINITIONS, "txn", rows, ProgressListener.NONE);
    }
    server = FeatureServer.start(FeatureStoreConfig.builder().dataDir(data).onlineStore(redis.uri()).port(0)
        .flightPort(0).pushLog(false).build());
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void fetch_uploadedEntities_equalsTheParquetTrainingSet() {
    List<List<Object>> flight = fetch(TrainingSetQuery.ofService("fraud"));

    assertThat(flight).containsExactlyElementsOf(parquet(TrainingSetRequest.Visibility.ALL_WRITES));
    assertThat(flight).extracting(row -> row.get(3)).containsExactly(2.0, 5.0, null);
  }

  @Test
  void fetch_asKnownAt_ignoresTheLateBackfillWhichIsUsedWithoutIt() {
    List<List<Object>> asKnownAt = fetch(TrainingSetQuery.ofFeatures("txn:amount")
        .withVisibility(TrainingSetQuery.Visibility.AS_KNOWN_AT));
    List<List<Object>> allWrites = fetch(TrainingSetQuery.ofFeatures("txn:amount"));

    assertThat(allWrites.get(0).get(3)).isEqualTo(2.0);
    assertThat(asKnownAt.get(0).get(3)).isEqualTo(1.0);
    assertThat(asKnownAt).containsExactlyElementsOf(parquet(TrainingSetRequest.Visibility.AS_KNOWN_AT));
  }

  @Test
  void fetch_serverSideEntityFile_equalsUpload() throws IOException {
    Path entities = Files.writeString(dir.resolve("entities.csv"), String.join("\n", ENTITY_CSV) + "\n");
    List<List<Object>> rows = new ArrayList<>();
    try (TrainingSetClient client = TrainingSetClient.connect("127.0.0.1", server.flightPort())) {
      client.fetch(TrainingSetQuery.ofService("fraud"), entities.toString(), batch -> rows.addAll(rowsOf(batch)));
    }

    assertThat(rows).containsExactlyElementsOf(fetch(TrainingSetQuery.ofService("fraud")));
  }

  @Test
  void fetch_asOfItsManifest_afterMoreDataIngested_returnsTheSameRowsAndContentHash() throws IOException {
    // user 7 is in no other test's entities: the rows ingested here change only this training set
    Path entities = Files.writeString(dir.resolve("user7.csv"), "user_id,event_timestamp,label\n"
        + "7,2024-01-01T12:00:00Z,z\n");
    try (TrainingSetClient client = TrainingSetClient.connect("127.0.0.1", server.flightPort())) {
      List<List<Object>> before = new ArrayList<>();
      FetchedTrainingSet original =
          client.fetch(TrainingSetQuery.ofService("fraud"), entities.toString(), batch -> before.addAll(rowsOf(batch)));
      Path more = Files.writeString(dir.resolve("more.csv"), "user_id,event_timestamp,created_timestamp,amount\n"
          + "7,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,70.0\n");
      try (OfflineStore offline = OfflineStores.local(data.resolve("warehouse"))) {
        offline.ingest(DEFINITIONS, "txn", more, ProgressListener.NONE);
      }
      List<List<Object>> latest = new ArrayList<>();
      client.fetch(TrainingSetQuery.ofService("fraud"), entities.toString(), batch -> latest.addAll(rowsOf(batch)));
      List<List<Object>> again = new ArrayList<>();
      FetchedTrainingSet rebuilt = client.fetch(TrainingSetQuery.asOf(original.manifest()),
          batch -> again.addAll(rowsOf(batch)));

      assertThat(latest).extracting(row -> row.get(3)).containsExactly(70.0);
      assertThat(again).containsExactlyElementsOf(before).extracting(row -> row.get(3)).containsOnlyNulls();
      assertThat(contentHash(rebuilt)).isEqualTo(contentHash(original)).startsWith("sha256:");
      assertThat(rebuilt.rows()).isEqualTo(original.rows()).isEqualTo(1);
      assertThat(original.manifest()).contains("\"definitions_version\" : 1");
    }
  }

  @Test
  void fetch_unknownService_isNotFoundNamingIt() {
    assertThatThrownBy(() -> fetch(TrainingSetQuery.ofService("nope")))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("'nope'");
  }

  private List<List<Object>> fetch(TrainingSetQuery query) {
    List<List<Object>> rows = new ArrayList<>();
    try (TrainingSetClient client = TrainingSetClient.connect("127.0.0.1", server.flightPort());
        VectorSchemaRoot entities = entities(client)) {
      FetchedTrainingSet fetched = client.fetch(query, entities, batch -> rows.addAll(rowsOf(batch)));
      assertThat(fetched.rows()).isEqualTo(ENTITY_CSV.length - 1);
      assertThat(fetched.manifest()).contains("\"rows\" : " + (ENTITY_CSV.length - 1));
    }
    return rows;
  }

  /** The entity rows of {@link #ENTITY_CSV} as an Arrow table: int64, timestamp[us, UTC], utf8. */
  private static VectorSchemaRoot entities(TrainingSetClient client) {
    Schema schema = new Schema(List.of(
        new Field("user_id", FieldType.nullable(new ArrowType.Int(64, true)), null),
        new Field("event_timestamp", FieldType.nullable(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")), null),
        new Field("label", FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, client.allocator());
    root.allocateNew();
    for (int r = 1; r < ENTITY_CSV.length; r++) {
      String[] cells = ENTITY_CSV[r].split(",");
      ((BigIntVector) root.getVector(0)).setSafe(r - 1, Long.parseLong(cells[0]));
      ((TimeStampMicroTZVector) root.getVector(1)).setSafe(r - 1, micros(Instant.parse(cells[1])));
      ((VarCharVector) root.getVector(2)).setSafe(r - 1, cells[2].getBytes(StandardCharsets.UTF_8));
    }
    root.setRowCount(ENTITY_CSV.length - 1);
    return root;
  }

  private List<List<Object>> parquet(TrainingSetRequest.Visibility visibility) {
    Path output = dir.resolve("training-" + visibility + ".parquet");
    try (OfflineStore offline = OfflineStores.local(data.resolve("warehouse"))) {
      Path entities = Files.writeString(dir.resolve("entities.csv"), String.join("\n", ENTITY_CSV) + "\n");
      offline.trainingSet(DEFINITIONS, TrainingSetRequest.forService(entities, "fraud", output)
          .withVisibility(visibility), ProgressListener.NONE);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    List<List<Object>> rows = new ArrayList<>();
    for (Map<String, Object> row : TableFiles.read(output)) {
      rows.add(Arrays.asList(row.get("user_id"), micros(((OffsetDateTime) row.get("event_timestamp")).toInstant()),
          row.get("label"), row.get("amount")));
    }
    return rows;
  }

  private static String contentHash(FetchedTrainingSet fetched) {
    try {
      return new ObjectMapper().readTree(fetched.manifest()).get("content_hash").asText();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<List<Object>> rowsOf(VectorSchemaRoot batch) {
    List<List<Object>> rows = new ArrayList<>();
    List<FieldVector> vectors = batch.getFieldVectors();
    for (int r = 0; r < batch.getRowCount(); r++) {
      rows.add(Arrays.asList(
          ((BigIntVector) vectors.get(0)).getObject(r),
          ((TimeStampMicroTZVector) vectors.get(1)).getObject(r),
          vectors.get(2).isNull(r) ? null : new String(((VarCharVector) vectors.get(2)).get(r), StandardCharsets.UTF_8),
          ((Float8Vector) vectors.get(3)).getObject(r)));
    }
    return rows;
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
