package dev.featurestore.online.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import org.awaitility.Awaitility;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.Experiment;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.api.definition.ModelVersion;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.online.server.OnlineServer;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.PredictionBatch;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.InferenceServiceGrpcClient;
import dev.featurestore.proto.v1.ModelRef;
import dev.featurestore.proto.v1.PredictRequest;
import dev.featurestore.proto.v1.PredictResponse;
import dev.featurestore.proto.v1.Prediction;
import dev.featurestore.proto.v1.Value;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The inference endpoint end to end: real ONNX Runtime scoring models the project wrote, features from a real
 * redis-server and a real Hazelcast member, the online server on a free loopback port called with the generated
 * Vert.x gRPC client over HTTP/2 and with a JDK HTTP client for JSON.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictIT {
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final long NOW_MICROS = NOW.getEpochSecond() * 1_000_000L;
  private static final long HOUR = 3_600_000_000L;

  private static final float[] LR1_W = {0.05f, -0.02f, 0.3f};
  private static final float LR1_B = -0.5f;
  private static final float[] LR2_W = {-0.04f, 0.01f, 0.1f};
  private static final float LR2_B = 0.25f;
  private static final float[][] MLP_W1 = {
      {0.02f, -0.01f, 0.03f}, {0.01f, 0.02f, -0.02f}, {0.5f, -0.4f, 0.3f}, {0.1f, 0.2f, -0.1f}, {0.7f, 0.6f, 0.5f}};
  private static final float[] MLP_B1 = {0.1f, -0.2f, 0.05f};
  private static final float[] MLP_W2 = {0.9f, -0.6f, 0.4f};
  private static final float MLP_B2 = -0.1f;

  private final Vertx vertx = Vertx.vertx();
  private final GrpcClient grpc = GrpcClient.client(vertx);
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final RecordingPredictionLog log = new RecordingPredictionLog();
  private final List<Predictor> predictors = new ArrayList<>();
  private Path models;
  private Definitions definitions;
  private RedisServerProcess redisServer;
  private OnlineStore redis;
  private OnlineStore hazelcast;
  private SocketAddress onRedis;
  private SocketAddress onHazelcast;
  private SocketAddress secondOnRedis;

  @BeforeAll
  void start() throws Exception {
    models = Files.createTempDirectory("predict-it");
    String lr1 = OnnxModels.write(models.resolve("lr1.onnx"), OnnxModels.logisticRegression("x", "score", LR1_W,
        LR1_B));
    String lr2 = OnnxModels.write(models.resolve("lr2.onnx"), OnnxModels.logisticRegression("x", "score", LR2_W,
        LR2_B));
    String mlp = OnnxModels.write(models.resolve("mlp.onnx"),
        OnnxModels.mlp("x", "score", MLP_W1, MLP_B1, MLP_W2, MLP_B2));
    String failing = OnnxModels.write(models.resolve("failing.onnx"), OnnxModels.failing("x", "score", 3));
    List<ModelInput> lrInputs = List.of(ModelInput.of("user_stats:txn_count", "x", ValueType.INT64, 0),
        ModelInput.of("user_stats:avg_amount", "x", ValueType.DOUBLE, 10),
        ModelInput.of("item_stats:price", "x", ValueType.DOUBLE, 5));
    List<ModelInput> mlpInputs = List.of(ModelInput.of("user_stats:txn_count", "x", ValueType.INT64, 0),
        ModelInput.of("user_stats:avg_amount", "x", ValueType.DOUBLE, 10),
        ModelInput.of("user_stats:is_new", "x", ValueType.BOOL, 1),
        ModelInput.of("item_stats:price", "x", ValueType.DOUBLE, 5),
        ModelInput.of("item_stats:ctr", "x", ValueType.FLOAT, 0.01));
    definitions = new Definitions(
        List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64)),
            Entity.of("item", JoinKey.of("item_id", ValueType.INT64))),
        List.of(FeatureView.builder("user_stats").entity("user").ttl(Duration.ofHours(1))
                .feature("txn_count", ValueType.INT64).feature("avg_amount", ValueType.DOUBLE)
                .feature("is_new", ValueType.BOOL).build(),
            FeatureView.builder("item_stats").entity("item").ttl(Duration.ZERO)
                .feature("price", ValueType.DOUBLE).feature("ctr", ValueType.FLOAT).build()),
        List.of(FeatureService.of("ranker", FeatureRef.allOf("user_stats"), FeatureRef.allOf("item_stats"))),
        List.of(new Model("ranker_lr", 1, "lr1.onnx", lr1, "ranker", lrInputs, "score", ""),
            new Model("ranker_lr", 2, "lr2.onnx", lr2, "ranker", lrInputs, "score", ""),
            new Model("ranker_mlp", 1, "mlp.onnx", mlp, "ranker", mlpInputs, "score", ""),
            new Model("ranker_broken", 1, "failing.onnx", failing, "ranker", lrInputs, "score", ""),
            new Model("ranker_gone", 1, "gone.onnx", lr1, "ranker", lrInputs, "score", ""),
            new Model("ranker_altered", 1, "lr2.onnx", lr1, "ranker", lrInputs, "score", "")),
        List.of(new Experiment("ranker_ab", "user_id", "s1", List.of(
                Experiment.Variant.of("control", 1, "ranker_lr", 1),
                Experiment.Variant.of("treatment", 1, "ranker_lr", 2)),
            List.of(ModelVersion.of("ranker_mlp", 1), ModelVersion.of("ranker_broken", 1),
                ModelVersion.of("ranker_gone", 1)), "")));
    redisServer = RedisServerProcess.start();
    redis = OnlineStores.open(redisServer.uri());
    int port = RedisServerProcess.freePort();
    hazelcast = OnlineStores.open(
        "hazelcast:embedded?cluster=predict-it-" + port + "&port=" + port + "&members=127.0.0.1:" + port);
    for (OnlineStore store : List.of(redis, hazelcast)) {
      write(store);
    }
    onRedis = deploy(redis);
    onHazelcast = deploy(hazelcast);
    secondOnRedis = deploy(redis);
  }

  /** Users 1-3 with features (user 3 stale beyond the TTL), items 1-50 with features, item 99 without. */
  private void write(OnlineStore store) throws Exception {
    FeatureView users = definitions.requireView("user_stats");
    FeatureView items = definitions.requireView("item_stats");
    List<FeatureRow> userRows = List.of(
        new FeatureRow(EntityKey.of(1L), NOW_MICROS - 60_000_000L, NOW_MICROS,
            Map.of("txn_count", 12L, "avg_amount", 43.5, "is_new", false)),
        new FeatureRow(EntityKey.of(2L), NOW_MICROS - 60_000_000L, NOW_MICROS,
            Map.of("txn_count", 3L, "is_new", true)),
        new FeatureRow(EntityKey.of(3L), NOW_MICROS - 2 * HOUR, NOW_MICROS,
            Map.of("txn_count", 99L, "avg_amount", 1.0, "is_new", false)));
    List<FeatureRow> itemRows = new ArrayList<>();
    for (long item = 1; item <= 50; item++) {
      itemRows.add(new FeatureRow(EntityKey.of(item), NOW_MICROS - 60_000_000L, NOW_MICROS,
          Map.of("price", 1.5 * item, "ctr", 0.01f * item)));
    }
    store.write(users, userRows).toCompletableFuture().get(30, TimeUnit.SECONDS);
    store.write(items, itemRows).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private SocketAddress deploy(OnlineStore store) {
    return deploy(store, () -> definitions, Predictor.builder().definitions(() -> definitions).store(store)
        .predictionLog(log).modelDirectory(models).workers(2).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build());
  }

  private SocketAddress deploy(OnlineStore store, Supplier<Definitions> current, Predictor predictor) {
    predictors.add(predictor);
    OnlineServer server = OnlineServer.builder().host("127.0.0.1").port(0).definitions(current)
        .store(store).clock(Clock.fixed(NOW, ZoneOffset.UTC)).predictor(predictor).build();
    await(vertx.deployVerticle(server));
    return SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.1");
  }

  @AfterAll
  void stop() {
    try {
      await(vertx.close());
    } finally {
      predictors.forEach(Predictor::close);
      for (AutoCloseable closeable : new AutoCloseable[] {hazelcast, redis, redisServer}) {
        try {
          if (closeable != null) {
            closeable.close();
          }
        } catch (Exception e) {
          // Keep closing the rest.
        }
      }
    }
  }

  Stream<Named<SocketAddress>> servers() {
    return Stream.of(Named.of("redis", onRedis), Named.of("hazelcast", onHazelcast));
  }

  // ---- helpers ----

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("call failed", e);
    }
  }

  private PredictResponse predict(SocketAddress server, PredictRequest request) {
    return await(InferenceServiceGrpcClient.create(grpc, server).predict(request));
  }

  /** Status and message of a call expected to fail. */
  private Map.Entry<GrpcStatus, String> refused(SocketAddress server, PredictRequest request) {
    return await(grpc.request(server, InferenceServiceGrpcClient.Predict)
        .compose(req -> req.end(request).compose(v -> req.response()))
        .compose(resp -> resp.last().transform(done -> Future.succeededFuture(
            Map.entry(resp.status(), String.valueOf(resp.statusMessage()))))));
  }

  private HttpResponse<String> post(SocketAddress server, String json) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/predict"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String metrics(SocketAddress server) throws Exception {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The count of predict calls over {@code protocol} that ended in {@code status}, in a scrape; 0 if none yet. */
  private static double predictCalls(String scrape, String protocol, String status) {
    Matcher count = Pattern.compile("(?m)^fstore_online_requests_seconds_count"
        + "\\{call=\"predict\",protocol=\"" + protocol + "\",status=\"" + status + "\"\\} (\\S+)$").matcher(scrape);
    return count.find() ? Double.parseDouble(count.group(1)) : 0;
  }

  private static Value i64(long v) {
    return Value.newBuilder().setInt64Val(v).build();
  }

  private static EntityRow row(String key, long value) {
    return EntityRow.newBuilder().putKeys(key, i64(value)).build();
  }

  private static EntityRow userItem(long user, long item) {
    return EntityRow.newBuilder().putKeys("user_id", i64(user)).putKeys("item_id", i64(item)).build();
  }

  private static PredictRequest.Builder model(String name, int version) {
    return PredictRequest.newBuilder().setModel(ModelRef.newBuilder().setName(name).setVersion(version));
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /** The logistic regression by the formula, over float32 inputs as the model sees them. */
  private static double lr(float[] w, float b, double... x) {
    double z = b;
    for (int i = 0; i < w.length; i++) {
      z += w[i] * (float) x[i];
    }
    return sigmoid(z);
  }

  /** The MLP by a plain-Java forward pass. */
  private static double mlp(double... x) {
    double out = MLP_B2;
    for (int h = 0; h < MLP_B1.length; h++) {
      double z = MLP_B1[h];
      for (int i = 0; i < x.length; i++) {
        z += (float) x[i] * MLP_W1[i][h];
      }
      out += Math.max(0, z) * MLP_W2[h];
    }
    return sigmoid(out);
  }

  // ---- scores ----

  @ParameterizedTest
  @MethodSource("servers")
  void predict_logisticRegression_scoreEqualsTheFormulaOnTheStoredFeatures(SocketAddress server) {
    PredictResponse response = predict(server, model("ranker_lr", 1).addEntities(userItem(1, 4))
        .setIncludeFeatures(true).build());

    assertThat(response.getModel()).isEqualTo("ranker_lr");
    assertThat(response.getModelVersion()).isEqualTo(1);
    assertThat(response.getVariant()).isEmpty();
    assertThat(response.getFeatureNamesList()).containsExactly("txn_count", "avg_amount", "price");
    Prediction prediction = response.getPredictions(0);
    assertThat(prediction.getFeaturesList()).containsExactly(i64(12), Value.newBuilder().setDoubleVal(43.5).build(),
        Value.newBuilder().setDoubleVal(6.0).build());
    assertThat(prediction.getDefaultedList()).isEmpty();
    assertThat(prediction.getScore()).isCloseTo(lr(LR1_W, LR1_B, 12, 43.5, 6.0), within(1e-6));
  }

  @ParameterizedTest
  @MethodSource("servers")
  void predict_rankingFormWithMlp_sharedUserBroadcastToEveryItemAndScoresEqualAJavaForwardPass(
      SocketAddress server) {
    PredictRequest.Builder request = model("ranker_mlp", 0).setShared(row("user_id", 1));
    for (long item = 1; item <= 50; item++) {
      request.addEntities(row("item_id", item));
    }

    PredictResponse response = predict(server, request.build());

    assertThat(response.getModelVersion()).isEqualTo(1);
    assertThat(response.getPredictionsCount()).isEqualTo(50);
    for (int i = 0; i < 50; i++) {
      long item = i + 1;
      assertThat(response.getPredictions(i).getScore())
          .isCloseTo(mlp(12, 43.5, 0, 1.5 * item, 0.01f * item), within(1e-6));
      assertThat(response.getPredictions(i).getFeaturesList()).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("servers")
  void predict_missingNullAndStaleFeatures_getTheModelDefaultsAndAreReported(SocketAddress server) {
    PredictResponse response = predict(server, model("ranker_lr", 1)
        .addEntities(userItem(2, 99))   // user 2 has no avg_amount; item 99 has no row
        .addEntities(userItem(3, 1))    // user 3 is older than the view's TTL
        .addEntities(userItem(404, 2))  // user 404 has no row
        .setIncludeFeatures(true).build());

    assertThat(response.getPredictions(0).getDefaultedList()).containsExactly("avg_amount", "price");
    assertThat(response.getPredictions(0).getScore()).isCloseTo(lr(LR1_W, LR1_B, 3, 10, 5), within(1e-6));
    assertThat(response.getPredictions(1).getDefaultedList()).containsExactly("txn_count", "avg_amount");
    assertThat(response.getPredictions(1).getFeaturesList()).containsExactly(i64(0),
        Value.newBuilder().setDoubleVal(10).build(), Value.newBuilder().setDoubleVal(1.5).build());
    assertThat(response.getPredictions(1).getScore()).isCloseTo(lr(LR1_W, LR1_B, 0, 10, 1.5), within(1e-6));
    assertThat(response.getPredictions(2).getDefaultedList()).containsExactly("txn_count", "avg_amount");
    assertThat(response.getPredictions(2).getScore()).isCloseTo(lr(LR1_W, LR1_B, 0, 10, 3.0), within(1e-6));
  }

  // ---- sessions ----

  @Test
  void predict_definitionsDropAModel_itsSessionIsClosedAndTheKeptModelsServeOn() {
    AtomicReference<Definitions> current = new AtomicReference<>(definitions);
    Predictor predictor = Predictor.builder().definitions(current::get).store(redis).modelDirectory(models)
        .workers(2).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    SocketAddress server = deploy(redis, current::get, predictor);
    PredictResponse before = predict(server, model("ranker_lr", 1).addEntities(userItem(1, 4)).build());
    predict(server, model("ranker_lr", 2).addEntities(userItem(1, 4)).build());
    assertThat(predictor.openModels()).containsExactlyInAnyOrder(ModelVersion.of("ranker_lr", 1),
        ModelVersion.of("ranker_lr", 2));

    current.set(new Definitions(definitions.entities(), definitions.featureViews(), definitions.featureServices(),
        definitions.models().stream().filter(m -> !m.id().equals(ModelVersion.of("ranker_lr", 2))).toList(),
        List.of()));
    PredictResponse after = predict(server, model("ranker_lr", 1).addEntities(userItem(1, 4)).build());

    assertThat(predictor.openModels()).containsExactly(ModelVersion.of("ranker_lr", 1));
    assertThat(after.getPredictions(0).getScore()).isEqualTo(before.getPredictions(0).getScore());
    assertThat(refused(server, model("ranker_lr", 2).addEntities(userItem(1, 4)).build()))
        .isEqualTo(Map.entry(GrpcStatus.NOT_FOUND,
            "Cannot find model 'ranker_lr' version 2: the defined versions are [1]"));
  }

  // ---- experiments, shadows, logging ----

  @Test
  void predict_experiment_sameVariantOnTwoServerInstancesAsTheAssignment() {
    Experiment experiment = definitions.requireExperiment("ranker_ab");
    int treatment = 0;
    for (long user = 1000; user < 1200; user++) {
      PredictRequest request = PredictRequest.newBuilder().setExperiment("ranker_ab").setShared(row("user_id", user))
          .addEntities(row("item_id", 1)).build();

      PredictResponse first = predict(onRedis, request);
      PredictResponse second = predict(secondOnRedis, request);

      Experiment.Variant expected = Assignment.variant(experiment, Long.toString(user));
      assertThat(first.getVariant()).isEqualTo(expected.name()).isEqualTo(second.getVariant());
      assertThat(first.getModelVersion()).isEqualTo(expected.model().version()).isEqualTo(second.getModelVersion());
      assertThat(first.getPredictions(0).getScore()).isEqualTo(second.getPredictions(0).getScore());
      treatment += expected.name().equals("treatment") ? 1 : 0;
    }
    assertThat(treatment).isBetween(60, 140);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void predict_experimentWithFailingAndMissingShadows_answerIntactAndLoggedRowsEqualTheAnswer(
      SocketAddress server) {
    String requestId = "shadow-" + server.port();
    PredictRequest request = PredictRequest.newBuilder().setExperiment("ranker_ab").setRequestId(requestId)
        .setShared(row("user_id", 1)).addEntities(row("item_id", 4)).addEntities(row("item_id", 99))
        .setIncludeFeatures(true).build();

    PredictResponse response = predict(server, request);

    Experiment.Variant variant = Assignment.variant(definitions.requireExperiment("ranker_ab"), "1");
    PredictResponse direct = predict(server, model("ranker_lr", variant.model().version())
        .setShared(row("user_id", 1)).addEntities(row("item_id", 4)).addEntities(row("item_id", 99))
        .setIncludeFeatures(true).setRequestId(requestId).build());
    assertThat(response.toBuilder().clearExperiment().clearVariant().build()).isEqualTo(direct);
    assertThat(response.getExperiment()).isEqualTo("ranker_ab");
    assertThat(response.getVariant()).isEqualTo(variant.name());

    PredictionBatch batch = Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> log.all().stream()
            .filter(b -> b.requestId().equals(requestId) && "ranker_ab".equals(b.experiment())).findFirst(),
            java.util.Optional::isPresent)
        .orElseThrow();
    assertThat(batch.model()).isEqualTo("ranker_lr");
    assertThat(batch.modelVersion()).isEqualTo(response.getModelVersion());
    assertThat(batch.variant()).isEqualTo(response.getVariant());
    assertThat(batch.keyColumns()).containsExactly(new PredictionBatch.Column("user_id", ValueType.INT64),
        new PredictionBatch.Column("item_id", ValueType.INT64));
    assertThat(batch.featureColumns()).extracting(PredictionBatch.Column::name)
        .containsExactlyElementsOf(response.getFeatureNamesList());
    assertThat(batch.rows()).hasSize(2);
    for (int r = 0; r < 2; r++) {
      PredictionBatch.PredictionRow logged = batch.rows().get(r);
      Prediction answered = response.getPredictions(r);
      assertThat(logged.unit()).isEqualTo("1");
      assertThat(logged.keys()).containsExactly(1L, r == 0 ? 4L : 99L);
      assertThat(logged.score()).isEqualTo(answered.getScore());
      assertThat(logged.defaulted()).isEqualTo(answered.getDefaultedList());
      assertThat(logged.features()).containsExactly(12L, 43.5, r == 0 ? 6.0 : 5.0);
      // Only the working shadow is logged; the failing and the missing one are not, and never answered.
      assertThat(logged.shadowScores()).containsOnlyKeys("ranker_mlp@1");
      assertThat(logged.shadowScores().get("ranker_mlp@1"))
          .isCloseTo(mlp(12, 43.5, 0, r == 0 ? 6.0 : 5.0, r == 0 ? 0.04f : 0.01), within(1e-6));
    }
  }

  // ---- bad input ----

  @Test
  void predict_badInput_isRefusedNamingTheOffendingValueAndTheServerKeepsServing() {
    assertThat(refused(onRedis, model("nope", 0).addEntities(userItem(1, 1)).build()))
        .isEqualTo(Map.entry(GrpcStatus.NOT_FOUND, "Cannot find model 'nope': it is not defined"));
    assertThat(refused(onRedis, model("ranker_lr", 7).addEntities(userItem(1, 1)).build()))
        .isEqualTo(Map.entry(GrpcStatus.NOT_FOUND,
            "Cannot find model 'ranker_lr' version 7: the defined versions are [1, 2]"));
    assertThat(refused(onRedis, PredictRequest.newBuilder().setExperiment("nope").addEntities(userItem(1, 1))
        .build())).isEqualTo(Map.entry(GrpcStatus.NOT_FOUND, "Cannot find experiment 'nope': it is not defined"));
    assertThat(refused(onRedis, model("ranker_lr", 1).build()))
        .isEqualTo(Map.entry(GrpcStatus.INVALID_ARGUMENT, "Cannot predict: the request has no entity rows"));
    assertThat(refused(onRedis, PredictRequest.newBuilder().addEntities(userItem(1, 1)).build()))
        .isEqualTo(Map.entry(GrpcStatus.INVALID_ARGUMENT,
            "Cannot predict: the request names neither a model nor an experiment"));
    assertThat(refused(onRedis, model("ranker_lr", 1).addEntities(userItem(1, 1)).addEntities(row("user_id", 2))
        .build())).isEqualTo(Map.entry(GrpcStatus.INVALID_ARGUMENT,
            "Cannot read entity row 1: join key 'item_id' (INT64) is missing"));
    assertThat(refused(onRedis, model("ranker_lr", 1).addEntities(EntityRow.newBuilder()
        .putKeys("user_id", Value.newBuilder().setStringVal("u1").build()).putKeys("item_id", i64(1))).build()))
        .isEqualTo(Map.entry(GrpcStatus.INVALID_ARGUMENT,
            "Cannot read entity row 0: join key 'user_id' must be INT64 but is STRING"));
    assertThat(refused(onRedis, model("ranker_lr", 1).setShared(row("user_id", 1)).addEntities(userItem(1, 1))
        .build())).isEqualTo(Map.entry(GrpcStatus.INVALID_ARGUMENT,
            "Cannot read entity row 0: join key 'user_id' is given both in the row and in the shared keys"));
    assertThat(refused(onRedis, PredictRequest.newBuilder().setExperiment("ranker_ab")
        .addEntities(userItem(1, 1)).addEntities(userItem(2, 1)).build()))
        .isEqualTo(Map.entry(GrpcStatus.INVALID_ARGUMENT, "Cannot predict with experiment 'ranker_ab': entity rows 0"
            + " and 1 have different values of unit key 'user_id' ('1' and '2'); send one unit per request, for"
            + " example in the shared keys"));
    assertThat(refused(onRedis, model("ranker_gone", 1).addEntities(userItem(1, 1)).build()))
        .isEqualTo(Map.entry(GrpcStatus.FAILED_PRECONDITION, "Cannot load model 'ranker_gone' version 1: its file "
            + models.resolve("gone.onnx") + " does not exist"));
    Map.Entry<GrpcStatus, String> altered =
        refused(onRedis, model("ranker_altered", 1).addEntities(userItem(1, 1)).build());
    assertThat(altered.getKey()).isEqualTo(GrpcStatus.FAILED_PRECONDITION);
    assertThat(altered.getValue()).startsWith("Cannot load model 'ranker_altered' version 1: file "
        + models.resolve("lr2.onnx") + " has sha256 ").endsWith(" but the definition declares "
        + definitions.requireModel("ranker_lr", 1).sha256());
    Map.Entry<GrpcStatus, String> broken =
        refused(onRedis, model("ranker_broken", 1).addEntities(userItem(1, 1)).build());
    assertThat(broken.getKey()).isEqualTo(GrpcStatus.INTERNAL);
    assertThat(broken.getValue()).startsWith("Cannot run model 'ranker_broken' version 1: ");

    assertThat(predict(onRedis, model("ranker_lr", 1).addEntities(userItem(1, 1)).build()).getPredictionsCount())
        .isEqualTo(1);
  }

  // ---- HTTP/JSON ----

  @ParameterizedTest
  @MethodSource("servers")
  void post_predict_answersTheSameAsGrpc(SocketAddress server) throws Exception {
    HttpResponse<String> reply = post(server, "{\"model\": \"ranker_lr\", \"model_version\": 1, \"shared\":"
        + " {\"user_id\": 2}, \"entities\": [{\"item_id\": 4}, {\"item_id\": 99}], \"include_features\": true,"
        + " \"request_id\": \"http-1\"}");
    PredictResponse grpcAnswer = predict(server, model("ranker_lr", 1).setShared(row("user_id", 2))
        .addEntities(row("item_id", 4)).addEntities(row("item_id", 99)).setIncludeFeatures(true)
        .setRequestId("http-1").build());

    assertThat(reply.statusCode()).isEqualTo(200);
    io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(reply.body());
    assertThat(json.getString("request_id")).isEqualTo("http-1");
    assertThat(json.getString("model")).isEqualTo("ranker_lr");
    assertThat(json.getInteger("model_version")).isEqualTo(1);
    assertThat(json.getValue("variant")).isNull();
    assertThat(json.getJsonArray("feature_names").getList()).containsExactly("txn_count", "avg_amount", "price");
    io.vertx.core.json.JsonArray predictions = json.getJsonArray("predictions");
    assertThat(predictions.size()).isEqualTo(2);
    for (int i = 0; i < 2; i++) {
      assertThat(predictions.getJsonObject(i).getDouble("score")).isEqualTo(grpcAnswer.getPredictions(i).getScore());
      assertThat(predictions.getJsonObject(i).getJsonArray("defaulted").getList())
          .isEqualTo(grpcAnswer.getPredictions(i).getDefaultedList());
    }
    assertThat(predictions.getJsonObject(1).getJsonArray("features").getList()).containsExactly(3, 10.0, 5.0);
  }

  @Test
  void predict_isTimedInTheServersMeters_byProtocolAndStatus() throws Exception {
    String before = metrics(onRedis);

    predict(onRedis, model("ranker_lr", 1).addEntities(userItem(1, 4)).build());
    assertThat(refused(onRedis, model("nope", 0).addEntities(userItem(1, 1)).build()).getKey())
        .isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(post(onRedis, "{\"model\": \"ranker_lr\", \"model_version\": 1, \"entities\": [{\"user_id\": 1,"
        + " \"item_id\": 4}]}").statusCode()).isEqualTo(200);

    String after = metrics(onRedis);
    assertThat(predictCalls(after, "grpc", "OK") - predictCalls(before, "grpc", "OK")).isEqualTo(1);
    assertThat(predictCalls(after, "grpc", "NOT_FOUND") - predictCalls(before, "grpc", "NOT_FOUND")).isEqualTo(1);
    assertThat(predictCalls(after, "http", "OK") - predictCalls(before, "http", "OK")).isEqualTo(1);
  }

  @Test
  void post_predictBadInput_answersTheGrpcStatusAndMessage() throws Exception {
    HttpResponse<String> missingKey = post(onRedis, "{\"model\": \"ranker_lr\", \"entities\": [{\"user_id\": 1}]}");
    HttpResponse<String> unknown = post(onRedis, "{\"experiment\": \"nope\", \"entities\": [{\"user_id\": 1}]}");
    HttpResponse<String> badMember = post(onRedis, "{\"model\": \"ranker_lr\", \"rows\": []}");
    HttpResponse<String> badVersion = post(onRedis, "{\"model\": \"ranker_lr\", \"model_version\": \"x\"}");

    assertThat(missingKey.statusCode()).isEqualTo(400);
    assertThat(missingKey.body()).isEqualTo("{\"error\":{\"code\":\"INVALID_ARGUMENT\",\"message\":\"Cannot read"
        + " entity row 0: join key 'item_id' (INT64) is missing\"}}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("Cannot find experiment 'nope': it is not defined");
    assertThat(badMember.statusCode()).isEqualTo(400);
    assertThat(badMember.body()).contains("Cannot read request body: unknown member 'rows'");
    assertThat(badVersion.statusCode()).isEqualTo(400);
    assertThat(badVersion.body()).contains("'model_version' must be a version number (0 for the latest) but is");
  }
}
