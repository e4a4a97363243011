package dev.featurestore.online.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.FeatureList;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.Value;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The reader's selection cache against a real Redis server: a selection resolved once is reused only while the
 * definitions it was resolved under are current.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeatureReaderIT {
  private static final Instant NOW = Instant.now();
  private static final ServingMetrics METRICS = new ServingMetrics(new SimpleMeterRegistry());
  private static final Entity USER = Entity.of("user", JoinKey.of("user_id", ValueType.INT64));
  private static final FeatureView STATS_V1 =
      FeatureView.builder("reader_stats").entity("user").feature("clicks", ValueType.INT64).build();
  private static final FeatureView STATS_V2 = FeatureView.builder("reader_stats").entity("user")
      .feature("clicks", ValueType.INT64).feature("score", ValueType.DOUBLE).build();

  private RedisServerProcess redis;
  private OnlineStore store;
  private Vertx vertx;
  private Context context;

  @BeforeAll
  void start() {
    redis = RedisServerProcess.start();
    store = OnlineStores.open(redis.uri());
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    store.write(STATS_V1, List.of(new FeatureRow(EntityKey.of(7L), micros(NOW) - 1, micros(NOW) - 1,
        Map.of("clicks", 3L)))).toCompletableFuture().join();
  }

  @AfterAll
  void stop() {
    store.close();
    vertx.close().await();
    redis.close();
  }

  private static long micros(Instant instant) {
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
  }

  private static Definitions definitions(FeatureView stats, FeatureService... services) {
    return new Definitions(List.of(USER), List.of(stats), List.of(services));
  }

  /** Reads {@code request} as the gRPC service does: parsed from its wire bytes. */
  private GetOnlineFeaturesResponse read(FeatureReader reader, GetOnlineFeaturesRequest request) throws Exception {
    return GetOnlineFeaturesResponse.parseFrom(
        reader.read(OnlineRequest.parse(request.toByteArray()), context).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
  }

  private static GetOnlineFeaturesRequest.Builder user7() {
    return GetOnlineFeaturesRequest.newBuilder()
        .addEntities(EntityRow.newBuilder().putKeys("user_id", Value.newBuilder().setInt64Val(7).build()));
  }

  @Test
  void read_sameRequestAfterDefinitionsChange_resolvesUnderNewDefinitions() throws Exception {
    AtomicReference<Definitions> current = new AtomicReference<>(definitions(STATS_V1,
        FeatureService.of("ranker", FeatureRef.of("reader_stats", "clicks"))));
    FeatureReader reader = new FeatureReader(current::get, store, Clock.fixed(NOW, ZoneOffset.UTC), METRICS);
    GetOnlineFeaturesRequest everything =
        user7().setFeatures(FeatureList.newBuilder().addFeatures("reader_stats:*")).build();
    GetOnlineFeaturesRequest service = user7().setFeatureService("ranker").build();

    assertThat(read(reader, everything).getFeatureNamesList()).containsExactly("clicks");
    assertThat(read(reader, everything).getFeatureNamesList()).containsExactly("clicks");
    assertThat(read(reader, service).getFeatureNamesList()).containsExactly("clicks");

    current.set(definitions(STATS_V2, FeatureService.of("ranker",
        FeatureRef.of("reader_stats", "clicks"), FeatureRef.of("reader_stats", "score"))));

    assertThat(read(reader, everything).getFeatureNamesList()).containsExactly("clicks", "score");
    assertThat(read(reader, service).getFeatureNamesList()).containsExactly("clicks", "score");
  }

  @Test
  void read_unknownFeatureTwice_failsNamingItEachTime() {
    Definitions fixed = definitions(STATS_V1);
    FeatureReader reader = new FeatureReader(() -> fixed, store, Clock.systemUTC(), METRICS);
    GetOnlineFeaturesRequest request =
        user7().setFeatures(FeatureList.newBuilder().addFeatures("reader_stats:nope")).build();

    for (int attempt = 0; attempt < 2; attempt++) {
      assertThatThrownBy(() -> read(reader, request))
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining("Cannot find feature 'reader_stats:nope'");
    }
  }
}
