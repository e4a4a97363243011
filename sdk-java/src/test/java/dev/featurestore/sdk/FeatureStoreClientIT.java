package dev.featurestore.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Source;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.IncompatibleChangeException;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.ModelLoadException;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.api.proto.ProtoColumns;
import dev.featurestore.api.proto.ProtoDefinitions;
import dev.featurestore.proto.v1.ApplyRequest;
import dev.featurestore.proto.v1.ApplyResponse;
import dev.featurestore.proto.v1.FieldChange;
import dev.featurestore.proto.v1.GetDefinitionsRequest;
import dev.featurestore.proto.v1.GetDefinitionsResponse;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.InferenceServiceGrpcService;
import dev.featurestore.proto.v1.Int64List;
import dev.featurestore.proto.v1.ObjectChange;
import dev.featurestore.proto.v1.OnlineServiceGrpcService;
import dev.featurestore.proto.v1.PlanRequest;
import dev.featurestore.proto.v1.PlanResponse;
import dev.featurestore.proto.v1.PredictRequest;
import dev.featurestore.proto.v1.PredictResponse;
import dev.featurestore.proto.v1.PushRequest;
import dev.featurestore.proto.v1.PushResponse;
import dev.featurestore.proto.v1.RegistryServiceGrpcService;
import dev.featurestore.proto.v1.StringList;
import dev.featurestore.proto.v1.Value;
import dev.featurestore.proto.v1.ViewRows;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.common.GrpcError;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.StatusException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK against a real Vert.x gRPC server over HTTP/2 whose services answer canned messages: checks what the
 * client puts on the wire, how it reads answers back and how it translates failures. The real services are tested
 * in their own modules.
 */
class FeatureStoreClientIT {
  private static final Definitions DEFINITIONS = FeatureRepo.builder()
      .entity(Entity.of("user", JoinKey.of("user_id", ValueType.INT64)))
      .entity(Entity.of("merchant", JoinKey.of("merchant_id", ValueType.STRING)))
      .view(FeatureView.builder("user_stats").entity("user").ttl(Duration.ofDays(1)).source(Source.push())
          .feature("txn_count", ValueType.INT32)
          .feature("avg_amount", ValueType.FLOAT)
          .feature("total", ValueType.DOUBLE)
          .feature("last_seen", ValueType.TIMESTAMP)
          .feature("tags", ValueType.STRING_LIST)
          .feature("blob", ValueType.BYTES))
      .view(FeatureView.builder("pair_stats").entity("user").entity("merchant").feature("n", ValueType.INT64))
      .service(FeatureService.of("fraud_model", FeatureRef.allOf("user_stats")))
      .build();

  private static Vertx vertx;
  private static HttpServer server;
  private static HttpServer silentServer;
  private static final FakeRegistry registry = new FakeRegistry();
  private static final FakeOnline online = new FakeOnline();
  private static final FakeInference inference = new FakeInference();
  private static final CopyOnWriteArrayList<GrpcError> silentServerErrors = new CopyOnWriteArrayList<>();
  private static FeatureStoreClient client;

  @BeforeAll
  static void startServers() throws Exception {
    vertx = Vertx.vertx();
    GrpcServer grpc = GrpcServer.server(vertx).addService(registry).addService(online).addService(inference);
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(grpc).listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    // A server that reads requests and never answers, recording how each call ended.
    GrpcServer silent = GrpcServer.server(vertx).callHandler(OnlineServiceGrpcService.GetOnlineFeatures,
        request -> request.errorHandler(silentServerErrors::add).handler(message -> { }));
    silentServer = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(silent).listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client = FeatureStoreClient.connect("127.0.0.1", server.actualPort());
  }

  @AfterAll
  static void stopServers() throws Exception {
    if (client != null) {
      client.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void resetServers() {
    registry.reset();
    online.reset();
    inference.reset();
    silentServerErrors.clear();
  }

  private static <T> Future<T> fail(GrpcStatus status, String message) {
    return Future.failedFuture(new StatusException(status, message));
  }

  private static Value int64(long v) {
    return Value.newBuilder().setInt64Val(v).build();
  }

  private static ViewRows view(String name, long... eventTimestamps) {
    ViewRows.Builder view = ViewRows.newBuilder().setFeatureView(name);
    for (long event : eventTimestamps) {
      view.addEventTimestamps(event);
    }
    return view.build();
  }

  @Test
  void getOnlineFeatures_featureRefsAndJavaKeys_arriveTypedAndAnswerDecodes() {
    // Three views, so that each row can show a different status and event timestamp per feature.
    ProtoColumns.Writer txnCount = ProtoColumns.writer(ValueType.INT32, 0, 2);
    txnCount.value(7);
    txnCount.noValue(dev.featurestore.proto.v1.FeatureStatus.NOT_FOUND);
    ProtoColumns.Writer tags = ProtoColumns.writer(ValueType.STRING_LIST, 1, 2);
    tags.value(List.of("a", "b"));
    tags.noValue(dev.featurestore.proto.v1.FeatureStatus.OUTSIDE_MAX_AGE);
    ProtoColumns.Writer blob = ProtoColumns.writer(ValueType.BYTES, 2, 2);
    blob.noValue(dev.featurestore.proto.v1.FeatureStatus.NULL_VALUE);
    blob.value(ByteBuffer.wrap("xy".getBytes(StandardCharsets.UTF_8)));
    online.onRead = request -> Future.succeededFuture(GetOnlineFeaturesResponse.newBuilder()
        .addAllFeatureNames(List.of("txn_count", "tags", "blob"))
        .addAllFeatureRefs(List.of("user_stats:txn_count", "user_tags:tags", "user_blobs:blob"))
        .setEntityCount(2)
        .addColumns(txnCount.build())
        .addColumns(tags.build())
        .addColumns(blob.build())
        .addViews(view("user_stats", 1_000, 0))
        .addViews(view("user_tags", 2_000, 6_000))
        .addViews(view("user_blobs", 3_000, 4_000))
        .build());
    Map<String, Object> second = new LinkedHashMap<>();
    second.put("user_id", 8L);
    second.put("merchant_id", "m-1");
    second.put("device", new byte[] {1, 2});
    OnlineRequest request = OnlineRequest.ofFeatures("user_stats:txn_count", "user_stats:tags", "user_stats:blob")
        .withEntityRow(Map.of("user_id", 42))
        .withEntityRow(second);

    OnlineResponse response = client.blocking().getOnlineFeatures(request);

    GetOnlineFeaturesRequest sent = online.reads.get(0);
    assertThat(sent.getFeatures().getFeaturesList())
        .containsExactly("user_stats:txn_count", "user_stats:tags", "user_stats:blob");
    assertThat(sent.getFullFeatureNames()).isFalse();
    assertThat(sent.getEntities(0).getKeysMap()).containsExactly(
        Map.entry("user_id", Value.newBuilder().setInt32Val(42).build()));
    assertThat(sent.getEntities(1).getKeysMap()).containsOnly(
        Map.entry("user_id", int64(8)),
        Map.entry("merchant_id", Value.newBuilder().setStringVal("m-1").build()),
        Map.entry("device", Value.newBuilder().setBytesVal(ByteString.copyFrom(new byte[] {1, 2})).build()));
    assertThat(response.featureNames()).containsExactly("txn_count", "tags", "blob");
    assertThat(response.featureRefs()).containsExactly(FeatureRef.of("user_stats", "txn_count"),
        FeatureRef.of("user_tags", "tags"), FeatureRef.of("user_blobs", "blob"));
    assertThat(response.size()).isEqualTo(2);
    assertThat(response.feature(0, "txn_count")).isEqualTo(new OnlineResponse.FeatureValue(7, FeatureStatus.PRESENT, 1_000));
    assertThat(response.feature(0, "tags"))
        .isEqualTo(new OnlineResponse.FeatureValue(List.of("a", "b"), FeatureStatus.PRESENT, 2_000));
    assertThat(response.feature(0, "blob")).isEqualTo(new OnlineResponse.FeatureValue(null, FeatureStatus.NULL_VALUE, 3_000));
    assertThat(response.feature(1, "txn_count")).isEqualTo(new OnlineResponse.FeatureValue(null, FeatureStatus.NOT_FOUND, 0));
    assertThat(response.feature(1, "tags"))
        .isEqualTo(new OnlineResponse.FeatureValue(null, FeatureStatus.OUTSIDE_MAX_AGE, 6_000));
    assertThat(response.feature(1, "blob").eventTimestamp()).isEqualTo(4_000);
    assertThat(response.value(1, "blob")).isEqualTo(ByteBuffer.wrap("xy".getBytes(StandardCharsets.UTF_8)));
    assertThat(response.values(1)).containsEntry("txn_count", null).containsKey("blob");
    assertThatThrownBy(() -> response.value(0, "nope"))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Cannot find feature 'nope' in the online response: it has [txn_count, tags, blob]");
  }

  @Test
  void getOnlineFeatures_featureServiceWithFullNames_sendsServiceNameAsync() throws Exception {
    ProtoColumns.Writer txnCount = ProtoColumns.writer(ValueType.INT64, 0, 1);
    txnCount.value(5L);
    online.onRead = request -> Future.succeededFuture(GetOnlineFeaturesResponse.newBuilder()
        .addFeatureNames("user_stats__txn_count").addFeatureRefs("user_stats:txn_count")
        .setEntityCount(1).addColumns(txnCount.build()).addViews(view("user_stats", 9))
        .build());
    OnlineRequest request = OnlineRequest.ofService("fraud_model").withNaming(FeatureNaming.FULL)
        .withEntityRows(List.of(Map.of("user_id", Long.MAX_VALUE)));

    OnlineResponse response = client.getOnlineFeatures(request).toCompletableFuture().get(10, TimeUnit.SECONDS);

    GetOnlineFeaturesRequest sent = online.reads.get(0);
    assertThat(sent.getSelectionCase()).isEqualTo(GetOnlineFeaturesRequest.SelectionCase.FEATURE_SERVICE);
    assertThat(sent.getFeatureService()).isEqualTo("fraud_model");
    assertThat(sent.getFullFeatureNames()).isTrue();
    assertThat(sent.getEntities(0).getKeysMap()).containsExactly(Map.entry("user_id", int64(Long.MAX_VALUE)));
    assertThat(response.value(0, "user_stats__txn_count")).isEqualTo(5L);
  }

  @Test
  void getOnlineFeatures_viewAnsweredPerDistinctKey_readsEveryRowThroughItsKeyIndex() {
    // one user for three rows: its view answers once, with a key index; the pairs answer per row
    ProtoColumns.Writer txnCount = ProtoColumns.writer(ValueType.INT32, 0, 1);
    txnCount.value(12);
    ProtoColumns.Writer n = ProtoColumns.writer(ValueType.INT64, 1, 3);
    n.value(1L);
    n.noValue(dev.featurestore.proto.v1.FeatureStatus.NOT_FOUND);
    n.value(3L);
    online.onRead = request -> Future.succeededFuture(GetOnlineFeaturesResponse.newBuilder()
        .addAllFeatureNames(List.of("txn_count", "n"))
        .addAllFeatureRefs(List.of("user_stats:txn_count", "pair_stats:n"))
        .setEntityCount(3)
        .addColumns(txnCount.build())
        .addColumns(n.build())
        .addViews(view("user_stats", 1_000).toBuilder().addAllKeyIndex(List.of(0, 0, 0)))
        .addViews(view("pair_stats", 2_000, 0, 3_000))
        .build());
    OnlineRequest request = OnlineRequest.ofFeatures("user_stats:txn_count", "pair_stats:n")
        .withEntityRows(List.of(Map.of("user_id", 7L, "merchant_id", "a"), Map.of("user_id", 7L, "merchant_id", "b"),
            Map.of("user_id", 7L, "merchant_id", "c")));

    OnlineResponse response = client.blocking().getOnlineFeatures(request);

    assertThat(online.reads.get(0).getDistinctKeys()).isTrue();
    for (int row = 0; row < 3; row++) {
      assertThat(response.feature(row, "txn_count"))
          .isEqualTo(new OnlineResponse.FeatureValue(12, FeatureStatus.PRESENT, 1_000));
    }
    assertThat(response.feature(0, "n")).isEqualTo(new OnlineResponse.FeatureValue(1L, FeatureStatus.PRESENT, 2_000));
    assertThat(response.feature(1, "n")).isEqualTo(new OnlineResponse.FeatureValue(null, FeatureStatus.NOT_FOUND, 0));
    assertThat(response.feature(2, "n")).isEqualTo(new OnlineResponse.FeatureValue(3L, FeatureStatus.PRESENT, 3_000));
  }

  @Test
  void getOnlineFeatures_serverSaysNotFound_throwsNotFoundWithServerMessage() {
    online.onRead = request -> fail(GrpcStatus.NOT_FOUND, "Cannot find feature view 'nope': it is not defined");

    assertThatThrownBy(() -> client.blocking().getOnlineFeatures(
            OnlineRequest.ofFeatures("nope:x").withEntityRow(Map.of("user_id", 1L))))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Cannot find feature view 'nope': it is not defined");
  }

  @Test
  void getOnlineFeatures_serverSaysInvalidArgument_failsStageWithInvalidRequest() {
    online.onRead = request -> fail(GrpcStatus.INVALID_ARGUMENT,
        "Cannot read entity row 0: join key 'user_id' (INT64) is missing – ünïcode kept");

    CompletableFuture<OnlineResponse> stage = client.getOnlineFeatures(
        OnlineRequest.ofService("fraud_model").withEntityRow(Map.of("merchant_id", "m"))).toCompletableFuture();

    assertThatThrownBy(() -> stage.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read entity row 0: join key 'user_id' (INT64) is missing – ünïcode kept");
  }

  @Test
  void getOnlineFeatures_keyOfJavaTypeWithoutValueType_failsBeforeSending() {
    OnlineRequest request = OnlineRequest.ofService("fraud_model").withEntityRow(Map.of("user_id", new Object()));

    assertThatThrownBy(() -> client.blocking().getOnlineFeatures(request))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot use value for entity row 0 key 'user_id': Java type java.lang.Object has no value type");
    assertThat(online.reads).isEmpty();
  }

  @Test
  void predict_serverSaysNotFound_throwsNotFoundWithServerMessageAfterSendingTheModel() {
    inference.onPredict = request -> fail(GrpcStatus.NOT_FOUND,
        "Cannot find model 'nope' version 3: it is not defined");

    assertThatThrownBy(() -> client.blocking().predict(
            PredictionRequest.ofModel("nope", 3).withRow(Map.of("item_id", 7L)).withShared(Map.of("user_id", 1L))))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Cannot find model 'nope' version 3: it is not defined");
    assertThat(inference.predicts).singleElement().satisfies(sent -> {
      assertThat(sent.getModel().getName()).isEqualTo("nope");
      assertThat(sent.getModel().getVersion()).isEqualTo(3);
      assertThat(sent.getShared().getKeysMap()).containsEntry("user_id", int64(1));
      assertThat(sent.getEntities(0).getKeysMap()).containsEntry("item_id", int64(7));
    });
  }

  @Test
  void predict_serverSaysInvalidArgument_failsStageWithInvalidRequest() {
    inference.onPredict = request -> fail(GrpcStatus.INVALID_ARGUMENT,
        "Cannot read entity row 0: join key 'user_id' must be INT64 but is STRING");

    CompletableFuture<Predictions> stage = client.predict(
        PredictionRequest.ofExperiment("ranker_ab").withRow(Map.of("user_id", "u1"))).toCompletableFuture();

    assertThatThrownBy(() -> stage.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read entity row 0: join key 'user_id' must be INT64 but is STRING");
    assertThat(inference.predicts).singleElement()
        .satisfies(sent -> assertThat(sent.getExperiment()).isEqualTo("ranker_ab"));
  }

  @Test
  void predict_serverCannotLoadTheModel_throwsModelLoadException() {
    inference.onPredict = request -> fail(GrpcStatus.FAILED_PRECONDITION,
        "Cannot load model 'ranker' version 1: its file /models/ranker.onnx does not exist");

    assertThatThrownBy(() -> client.blocking().predict(PredictionRequest.ofModel("ranker").withRow(
            Map.of("user_id", 1L))))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("Cannot load model 'ranker' version 1: its file /models/ranker.onnx does not exist");
  }

  @Test
  void predict_keyOfJavaTypeWithoutValueType_failsBeforeSendingNamingRowAndKey() {
    PredictionRequest request = PredictionRequest.ofModel("ranker").withShared(Map.of("user_id", 1L))
        .withRow(Map.of("item_id", 2L)).withRow(Map.of("item_id", new Object()));

    assertThatThrownBy(() -> client.blocking().predict(request))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot use value for entity row 1 key 'item_id': Java type java.lang.Object has no value type");
    assertThat(inference.predicts).isEmpty();
  }

  @Test
  void apply_serverSaysFailedPrecondition_throwsIncompatibleChangeWithViolations() {
    registry.onApply = request -> fail(GrpcStatus.FAILED_PRECONDITION,
        "Cannot apply definitions: feature view 'user_stats' field features.txn_count.type: INT32 -> STRING");

    assertThatThrownBy(() -> client.blocking().apply(DEFINITIONS))
        .isInstanceOfSatisfying(IncompatibleChangeException.class, e -> assertThat(e.violations())
            .containsExactly("feature view 'user_stats' field features.txn_count.type: INT32 -> STRING"))
        .hasMessage("Cannot apply definitions: feature view 'user_stats' field features.txn_count.type: INT32 -> STRING");
  }

  @Test
  void apply_withExpectedVersion_sendsDefinitionsAndVersionAndReturnsOutcome() {
    registry.onApply = request -> Future.succeededFuture(ApplyResponse.newBuilder().setVersion(8)
        .addChanges(ObjectChange.newBuilder().setAction(ObjectChange.Action.ADDED)
            .setKind(ObjectChange.Kind.FEATURE_SERVICE).setName("fraud_model"))
        .build());

    ApplyOutcome outcome = client.blocking().apply(DEFINITIONS, 7);

    assertThat(registry.applies.get(0).getExpectedVersion()).isEqualTo(7);
    assertThat(ProtoDefinitions.fromProto(registry.applies.get(0).getDefinitions())).isEqualTo(DEFINITIONS);
    assertThat(outcome).isEqualTo(new ApplyOutcome(8, List.of(new DefinitionChange(DefinitionChange.Action.ADDED,
        DefinitionChange.Kind.FEATURE_SERVICE, "fraud_model", List.of()))));
  }

  @Test
  void plan_changesAndViolations_decodeIntoThePlan() {
    registry.onPlan = request -> Future.succeededFuture(PlanResponse.newBuilder().setBaseVersion(3)
        .addChanges(ObjectChange.newBuilder().setAction(ObjectChange.Action.CHANGED)
            .setKind(ObjectChange.Kind.FEATURE_VIEW).setName("user_stats")
            .addFields(FieldChange.newBuilder().setField("ttl").setOldValue("PT1H").setNewValue("PT24H")))
        .addChanges(ObjectChange.newBuilder().setAction(ObjectChange.Action.REMOVED)
            .setKind(ObjectChange.Kind.ENTITY).setName("device"))
        .addViolations("entity 'device' is still used")
        .build());

    DefinitionsPlan plan = client.blocking().plan(DEFINITIONS);

    assertThat(ProtoDefinitions.fromProto(registry.plans.get(0).getDefinitions())).isEqualTo(DEFINITIONS);
    assertThat(plan.baseVersion()).isEqualTo(3);
    assertThat(plan.changes()).containsExactly(
        new DefinitionChange(DefinitionChange.Action.CHANGED, DefinitionChange.Kind.FEATURE_VIEW, "user_stats",
            List.of(new DefinitionChange.FieldChange("ttl", "PT1H", "PT24H"))),
        new DefinitionChange(DefinitionChange.Action.REMOVED, DefinitionChange.Kind.ENTITY, "device", List.of()));
    assertThat(plan.violations()).containsExactly("entity 'device' is still used");
    assertThat(plan.isAllowed()).isFalse();
  }

  @Test
  void definitions_ofAVersion_sendsTheVersionAndDecodes() {
    registry.onDefinitions = request -> Future.succeededFuture(GetDefinitionsResponse.newBuilder()
        .setVersion(request.getVersion()).setDefinitions(ProtoDefinitions.toProto(DEFINITIONS)).build());

    VersionedDefinitions current = client.blocking().definitions(5);

    assertThat(registry.reads.get(0).getVersion()).isEqualTo(5);
    assertThat(current).isEqualTo(new VersionedDefinitions(5, DEFINITIONS));
  }

  @Test
  void definitions_unknownVersion_throwsNotFound() {
    registry.onDefinitions = request -> fail(GrpcStatus.NOT_FOUND, "Cannot find registry version 99");

    assertThatThrownBy(() -> client.blocking().definitions(99))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Cannot find registry version 99");
  }

  @Test
  void push_javaValues_arriveAsTheDeclaredTypesWithDefinitionsReadOnce() {
    registry.onDefinitions = request -> Future.succeededFuture(GetDefinitionsResponse.newBuilder()
        .setVersion(1).setDefinitions(ProtoDefinitions.toProto(DEFINITIONS)).build());
    online.onPush = request -> Future.succeededFuture(
        PushResponse.newBuilder().setRowsWritten(request.getRowsCount()).build());
    Map<String, Object> features = new LinkedHashMap<>();
    features.put("txn_count", 5L);
    features.put("avg_amount", 1.5);
    features.put("total", 2);
    features.put("last_seen", Instant.ofEpochSecond(10, 7_000));
    features.put("tags", List.of("x"));
    features.put("blob", null);
    try (BlockingFeatureStoreClient fresh = BlockingFeatureStoreClient.connect("127.0.0.1", server.actualPort())) {
      long first = fresh.push("user_stats", List.of(PushRow.of(Map.of("user_id", 42), features, 1_000_000)
          .withCreatedTimestamp(2_000_000)));
      long second = fresh.push("pair_stats", List.of(
          PushRow.of(Map.of("user_id", 1L, "merchant_id", "m"), Map.of("n", 3), 5),
          PushRow.of(Map.of("user_id", 2L, "merchant_id", "m"), Map.of(), 6)));

      assertThat(first).isEqualTo(1);
      assertThat(second).isEqualTo(2);
    }
    assertThat(registry.reads).hasSize(1);
    PushRequest sent = online.pushes.get(0);
    assertThat(sent.getFeatureView()).isEqualTo("user_stats");
    dev.featurestore.proto.v1.PushRow row = sent.getRows(0);
    assertThat(row.getKeysMap()).containsExactly(Map.entry("user_id", int64(42)));
    assertThat(row.getFeaturesMap()).containsOnly(
        Map.entry("txn_count", Value.newBuilder().setInt32Val(5).build()),
        Map.entry("avg_amount", Value.newBuilder().setFloatVal(1.5f).build()),
        Map.entry("total", Value.newBuilder().setDoubleVal(2.0).build()),
        Map.entry("last_seen", Value.newBuilder().setTimestampVal(10_000_007).build()),
        Map.entry("tags", Value.newBuilder().setStringListVal(StringList.newBuilder().addValues("x")).build()),
        Map.entry("blob", Value.getDefaultInstance()));
    assertThat(row.getEventTimestamp()).isEqualTo(1_000_000);
    assertThat(row.getCreatedTimestamp()).isEqualTo(2_000_000);
    assertThat(online.pushes.get(1).getRows(1).getKeysMap()).containsOnly(
        Map.entry("user_id", int64(2)), Map.entry("merchant_id", Value.newBuilder().setStringVal("m").build()));
    assertThat(online.pushes.get(1).getRows(0).getFeaturesMap()).containsExactly(Map.entry("n", int64(3)));
  }

  @Test
  void push_valueThatDoesNotFit_failsBeforeSendingNamingRowAndFeature() {
    registry.onDefinitions = request -> Future.succeededFuture(GetDefinitionsResponse.newBuilder()
        .setVersion(1).setDefinitions(ProtoDefinitions.toProto(DEFINITIONS)).build());
    List<PushRow> rows = List.of(
        PushRow.of(Map.of("user_id", 1L), Map.of("txn_count", 1), 1),
        PushRow.of(Map.of("user_id", 2L), Map.of("txn_count", 1L << 40), 1));

    assertThatThrownBy(() -> client.blocking().push("user_stats", rows))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot push row 1 to feature view 'user_stats': cannot use value for 'txn_count': expected"
            + " INT32 but got Long '1099511627776'");
    assertThatThrownBy(() -> client.blocking().push("user_stats",
            List.of(PushRow.of(Map.of("user_id", 1L), Map.of("nope", 1), 1))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot push row 0 to feature view 'user_stats': the view has no feature 'nope'");
    assertThatThrownBy(() -> client.blocking().push("pair_stats",
            List.of(PushRow.of(Map.of("user_id", 1L), Map.of("n", 1), 1))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot push row 0 to feature view 'pair_stats': join key 'merchant_id' (STRING) is missing");
    assertThat(online.pushes).isEmpty();
  }

  @Test
  void push_unknownView_rereadsDefinitionsAndThrowsNotFound() {
    registry.onDefinitions = request -> Future.succeededFuture(GetDefinitionsResponse.newBuilder()
        .setVersion(1).setDefinitions(ProtoDefinitions.toProto(DEFINITIONS)).build());

    assertThatThrownBy(() -> client.blocking().push("nope", List.of(PushRow.of(Map.of("k", 1), Map.of(), 1))))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Cannot find feature view 'nope': it is not defined");
    assertThat(registry.reads).hasSize(1);
  }

  @Test
  void push_serverRefusesRow_throwsInvalidRequestWithServerMessage() {
    registry.onDefinitions = request -> Future.succeededFuture(GetDefinitionsResponse.newBuilder()
        .setVersion(1).setDefinitions(ProtoDefinitions.toProto(DEFINITIONS)).build());
    online.onPush = request -> fail(GrpcStatus.INVALID_ARGUMENT, "Cannot push row 0: event_timestamp is in 2100");

    assertThatThrownBy(() -> client.blocking().push("pair_stats",
            List.of(PushRow.of(Map.of("user_id", 1L, "merchant_id", "m"), Map.of("n", 1L), 1))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot push row 0: event_timestamp is in 2100");
  }

  @Test
  void blockingCall_noAnswerWithinTimeout_throwsUnavailableAndCancelsTheCall() {
    FeatureStoreClient slow = FeatureStoreClient.create(FeatureStoreClientOptions
        .builder("127.0.0.1", silentServer.actualPort()).timeout(Duration.ofMillis(300)).vertx(vertx).build());
    try {
      OnlineRequest request = OnlineRequest.ofService("fraud_model").withEntityRow(Map.of("user_id", 1L));

      assertThatThrownBy(() -> slow.blocking().getOnlineFeatures(request))
          .isInstanceOf(UnavailableException.class)
          .hasMessage("Cannot get online features: no answer within PT0.3S; the call was cancelled");
      await().atMost(Duration.ofSeconds(5)).untilAsserted(
          () -> assertThat(silentServerErrors).containsExactly(GrpcError.CANCELLED));
    } finally {
      slow.close();
    }
  }

  @Test
  void asyncCall_cancelled_cancelsTheCallOnTheServer() {
    try (FeatureStoreClient slow = FeatureStoreClient.connect("127.0.0.1", silentServer.actualPort())) {
      CompletableFuture<OnlineResponse> call = slow.getOnlineFeatures(
          OnlineRequest.ofService("fraud_model").withEntityRow(Map.of("user_id", 1L))).toCompletableFuture();

      call.orTimeout(200, TimeUnit.MILLISECONDS);

      await().atMost(Duration.ofSeconds(5)).untilAsserted(
          () -> assertThat(silentServerErrors).containsExactly(GrpcError.CANCELLED));
      assertThat(call).isCompletedExceptionally();
    }
  }

  @Test
  void blockingCall_interrupted_cancelsAndKeepsTheInterruptFlag() throws Exception {
    try (FeatureStoreClient slow = FeatureStoreClient.connect("127.0.0.1", silentServer.actualPort())) {
      List<Object> outcome = new CopyOnWriteArrayList<>();
      Thread caller = new Thread(() -> {
        try {
          slow.blocking().getOnlineFeatures(
              OnlineRequest.ofService("fraud_model").withEntityRow(Map.of("user_id", 1L)));
        } catch (FeatureStoreException e) {
          outcome.add(e.getMessage());
          outcome.add(Thread.currentThread().isInterrupted());
        }
      });
      caller.start();
      await().atMost(Duration.ofSeconds(5)).until(() -> caller.getState() == Thread.State.TIMED_WAITING);

      caller.interrupt();
      caller.join(5_000);

      assertThat(outcome).containsExactly(
          "Cannot get online features: interrupted while waiting; the call was cancelled", true);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(
          () -> assertThat(silentServerErrors).containsExactly(GrpcError.CANCELLED));
    }
  }

  @Test
  void blockingCall_onAnEventLoop_isRefused() throws Exception {
    CompletableFuture<Throwable> refused = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      try {
        client.blocking().definitions();
        refused.complete(null);
      } catch (RuntimeException e) {
        refused.complete(e);
      }
    });

    assertThat(refused.get(10, TimeUnit.SECONDS))
        .isInstanceOf(FeatureStoreException.class)
        .hasMessage("Cannot read definitions: a blocking call would stall the Vert.x event loop it is made on;"
            + " use FeatureStoreClient");
  }

  @Test
  void call_nothingListening_throwsUnavailableNamingTheAddress() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (BlockingFeatureStoreClient closed = BlockingFeatureStoreClient.connect("127.0.0.1", port)) {
      assertThatThrownBy(closed::definitions)
          .isInstanceOf(UnavailableException.class)
          .hasMessageStartingWith("Cannot read definitions: cannot reach the feature store at 127.0.0.1:" + port
              + " (");
    }
  }

  @Test
  void call_afterClose_failsNamingTheClosedClient() {
    FeatureStoreClient closed = FeatureStoreClient.connect("127.0.0.1", server.actualPort());
    closed.close();

    assertThatThrownBy(() -> closed.blocking().definitions())
        .isInstanceOf(FeatureStoreException.class)
        .hasMessage("Cannot read definitions: the client of 127.0.0.1:" + server.actualPort() + " is closed");
    assertThat(closed.closeAsync().toCompletableFuture()).isCompleted();
  }

  /** Answers with whatever the test sets, recording every request. */
  private static final class FakeRegistry extends RegistryServiceGrpcService {
    final List<PlanRequest> plans = new CopyOnWriteArrayList<>();
    final List<ApplyRequest> applies = new CopyOnWriteArrayList<>();
    final List<GetDefinitionsRequest> reads = new CopyOnWriteArrayList<>();
    volatile Function<PlanRequest, Future<PlanResponse>> onPlan;
    volatile Function<ApplyRequest, Future<ApplyResponse>> onApply;
    volatile Function<GetDefinitionsRequest, Future<GetDefinitionsResponse>> onDefinitions;

    void reset() {
      plans.clear();
      applies.clear();
      reads.clear();
      onPlan = request -> fail(GrpcStatus.UNIMPLEMENTED, "no plan expected");
      onApply = request -> fail(GrpcStatus.UNIMPLEMENTED, "no apply expected");
      onDefinitions = request -> fail(GrpcStatus.UNIMPLEMENTED, "no read expected");
    }

    @Override
    public Future<PlanResponse> plan(PlanRequest request) {
      plans.add(request);
      return onPlan.apply(request);
    }

    @Override
    public Future<ApplyResponse> apply(ApplyRequest request) {
      applies.add(request);
      return onApply.apply(request);
    }

    @Override
    public Future<GetDefinitionsResponse> getDefinitions(GetDefinitionsRequest request) {
      reads.add(request);
      return onDefinitions.apply(request);
    }
  }

  /** Answers with whatever the test sets, recording every request. */
  private static final class FakeInference extends InferenceServiceGrpcService {
    final List<PredictRequest> predicts = new CopyOnWriteArrayList<>();
    volatile Function<PredictRequest, Future<PredictResponse>> onPredict;

    void reset() {
      predicts.clear();
      onPredict = request -> fail(GrpcStatus.UNIMPLEMENTED, "no predict expected");
    }

    @Override
    public Future<PredictResponse> predict(PredictRequest request) {
      predicts.add(request);
      return onPredict.apply(request);
    }
  }

  /** Answers with whatever the test sets, recording every request. */
  private static final class FakeOnline extends OnlineServiceGrpcService {
    final List<GetOnlineFeaturesRequest> reads = new CopyOnWriteArrayList<>();
    final List<PushRequest> pushes = new CopyOnWriteArrayList<>();
    volatile Function<GetOnlineFeaturesRequest, Future<GetOnlineFeaturesResponse>> onRead;
    volatile Function<PushRequest, Future<PushResponse>> onPush;

    void reset() {
      reads.clear();
      pushes.clear();
      onRead = request -> fail(GrpcStatus.UNIMPLEMENTED, "no read expected");
      onPush = request -> fail(GrpcStatus.UNIMPLEMENTED, "no push expected");
    }

    @Override
    public Future<GetOnlineFeaturesResponse> getOnlineFeatures(GetOnlineFeaturesRequest request) {
      reads.add(request);
      return onRead.apply(request);
    }

    @Override
    public Future<PushResponse> push(PushRequest request) {
      pushes.add(request);
      return onPush.apply(request);
    }
  }
}
