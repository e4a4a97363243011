package dev.featurestore.deploy.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.deploy.server.FeatureServer;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.offline.OfflineStores;
import dev.featurestore.offline.ProgressListener;
import dev.featurestore.offline.TableFiles;
import dev.featurestore.offline.TrainingSetRequest;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.sdk.BlockingFeatureStoreClient;
import dev.featurestore.sdk.PushRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes through the real server (gRPC, Redis online store) reach the view's Iceberg table through the push log,
 * and a point-in-time training set built from the table sees them; with the push log off they stay online-only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushToOfflineIT {
  private RedisServerProcess redis;

  @BeforeAll
  void startRedis() {
    redis = RedisServerProcess.start();
  }

  @AfterAll
  void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  private FeatureStoreConfig.Builder config(Path data) {
    return FeatureStoreConfig.builder().dataDir(data).onlineStore(redis.uri()).port(0)
        .pushFlushInterval(Duration.ofHours(1)); // only the clean shutdown flushes
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  @Test
  void push_throughTheServer_landsInIcebergAndATrainingSetSeesIt(@TempDir Path dir) throws IOException {
    Path data = dir.resolve("data");
    PushFixtures.applyDefinitions(data);
    Instant earlier = Instant.parse("2026-03-01T10:00:00Z");
    Instant later = Instant.parse("2026-03-01T11:00:00Z");

    try (FeatureServer server = FeatureServer.start(config(data).build());
        BlockingFeatureStoreClient client = BlockingFeatureStoreClient.connect("127.0.0.1", server.port())) {
      client.push(PushFixtures.VIEW, List.of(
          PushRow.of(Map.of("user_id", 1L), Map.of("clicks", 5L, "country", "NL"), micros(earlier)),
          PushRow.of(Map.of("user_id", 2L), Map.of("clicks", 7L), micros(earlier))));
      client.push(PushFixtures.VIEW, List.of(
          PushRow.of(Map.of("user_id", 1L), Map.of("clicks", 6L, "country", "NL"), micros(later))));
    } // a clean shutdown flushes the push log to Iceberg

    assertThat(PushFixtures.tableRows(data.resolve("warehouse")))
        .extracting(r -> r.getField("user_id") + ":" + r.getField("clicks"))
        .containsExactlyInAnyOrder("1:5", "2:7", "1:6");
    Path entities = Files.writeString(dir.resolve("entities.csv"), "user_id,event_timestamp\n"
        + "1,2026-03-01T10:30:00Z\n"
        + "1,2026-03-01T12:00:00Z\n"
        + "2,2026-03-01T12:00:00Z\n"
        + "3,2026-03-01T12:00:00Z\n");
    Path output = dir.resolve("training.parquet");
    try (OfflineStore offline = OfflineStores.local(data.resolve("warehouse"))) {
      offline.trainingSet(PushFixtures.DEFINITIONS, TrainingSetRequest.forService(entities, "click_model", output),
          ProgressListener.NONE);
    }
    assertThat(TableFiles.read(output))
        .extracting(row -> row.get("user_id") + ":" + row.get("clicks") + ":" + row.get("country"))
        .containsExactly("1:5:NL", "1:6:NL", "2:7:null", "3:null:null");
    assertThat(data.resolve("push-wal")).isDirectory();
  }

  @Test
  void push_pushLogOff_staysOnlineOnly(@TempDir Path dir) {
    Path data = dir.resolve("data");
    PushFixtures.applyDefinitions(data);

    try (FeatureServer server = FeatureServer.start(config(data).pushLog(false).build());
        BlockingFeatureStoreClient client = BlockingFeatureStoreClient.connect("127.0.0.1", server.port())) {
      long written = client.push(PushFixtures.VIEW, List.of(
          PushRow.of(Map.of("user_id", 1L), Map.of("clicks", 5L), micros(Instant.now()))));
      assertThat(written).isEqualTo(1);
    }

    assertThat(data.resolve("push-wal")).doesNotExist();
    assertThat(data.resolve("warehouse").resolve("features").resolve(PushFixtures.VIEW)).doesNotExist();
  }
}
