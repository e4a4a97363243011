package dev.featurestore.online.server;

import static dev.featurestore.online.server.ServedStores.await;
import static dev.featurestore.online.server.ServedStores.features;
import static dev.featurestore.online.server.ServedStores.i64;
import static dev.featurestore.online.server.ServedStores.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.online.server.ServedStores.Server;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.FeatureStatus;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.OnlineServiceGrpcClient;
import dev.featurestore.proto.v1.PushRequest;
import dev.featurestore.proto.v1.PushResponse;
import dev.featurestore.proto.v1.PushRow;
import dev.featurestore.proto.v1.StringList;
import dev.featurestore.proto.v1.Value;
import dev.featurestore.proto.v1.ViewRows;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The online service end to end: the verticle on a free loopback port over a real Redis server and a real
 * Hazelcast member, called over HTTP/2 with the generated Vert.x gRPC client. Tests use distinct user ids, so
 * they share the stores without seeing each other's rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnlineServerIT {
  /**
   * The servers' fixed clock. Near the real time, because the stores expire keys by their own (real) clock at
   * event + TTL + grace: rows dated a year ago would be gone before a read.
   */
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final long NOW_MICROS = NOW.getEpochSecond() * 1_000_000L;
  private static final long MINUTE = 60_000_000L;
  private static final AtomicLong USERS = new AtomicLong(1000);

  private static final Definitions DEFINITIONS = new Definitions(
      List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64)),
          Entity.of("merchant", JoinKey.of("merchant_id", ValueType.STRING))),
      List.of(
          FeatureView.builder("user_stats").entity("user").ttl(Duration.ofHours(1))
              .feature("clicks", ValueType.INT64).feature("score", ValueType.DOUBLE)
              .feature("tags", ValueType.STRING_LIST).feature("nickname", ValueType.STRING).build(),
          FeatureView.builder("user_profile").entity("user")
              .feature("age", ValueType.INT32).feature("score", ValueType.DOUBLE)
              .feature("avatar", ValueType.BYTES).build(),
          FeatureView.builder("user_merchant").entity("user").entity("merchant")
              .feature("spend", ValueType.DOUBLE).build()),
      List.of(FeatureService.of("fraud_model",
          FeatureRef.of("user_stats", "clicks"), FeatureRef.of("user_merchant", "spend"))));

  private ServedStores stores;

  /** The outcome of a raw gRPC call: status, message and the response if there was one. */
  record Outcome<T>(GrpcStatus status, String message, T response) {}

  @BeforeAll
  void start() {
    stores = ServedStores.start("server-it", DEFINITIONS, NOW);
  }

  @AfterAll
  void stop() {
    if (stores != null) {
      stores.close();
    }
  }

  Stream<Named<Server>> servers() {
    return stores.both();
  }

  // ---- helpers ----

  private <Req, Resp> Outcome<Resp> call(Server server, ServiceMethod<Resp, Req> method, Req request) {
    return await(stores.grpcClient().request(server.address(), method)
        .compose(req -> req.end(request).compose(v -> req.response()))
        .compose(resp -> resp.last().transform(result -> Future.succeededFuture(
            new Outcome<>(resp.status(), resp.statusMessage(), result.succeeded() ? result.result() : null)))));
  }

  private GetOnlineFeaturesResponse get(Server server, GetOnlineFeaturesRequest request) {
    return await(server.client().getOnlineFeatures(request));
  }

  private Outcome<GetOnlineFeaturesResponse> getRaw(Server server, GetOnlineFeaturesRequest request) {
    return call(server, OnlineServiceGrpcClient.GetOnlineFeatures, request);
  }

  private PushResponse push(Server server, PushRequest request) {
    return await(server.client().push(request));
  }

  private Outcome<PushResponse> pushRaw(Server server, PushRequest request) {
    return call(server, OnlineServiceGrpcClient.Push, request);
  }

  private static Value str(String v) {
    return Value.newBuilder().setStringVal(v).build();
  }

  private static Value dbl(double v) {
    return Value.newBuilder().setDoubleVal(v).build();
  }

  private static PushRow statsRow(long user, long event, long clicks) {
    return PushRow.newBuilder().putKeys("user_id", i64(user)).setEventTimestamp(event)
        .putFeatures("clicks", i64(clicks)).build();
  }

  private static PushRequest pushTo(String view, PushRow... rows) {
    return PushRequest.newBuilder().setFeatureView(view).addAllRows(List.of(rows)).build();
  }

  private static long newUser() {
    return USERS.incrementAndGet();
  }

  // ---- reads ----

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_pushedRow_presentAndNullValues(Server server) {
    long id = newUser();
    long event = NOW_MICROS - 10 * MINUTE;
    PushResponse pushed = push(server, pushTo("user_stats", PushRow.newBuilder()
        .putKeys("user_id", i64(id)).setEventTimestamp(event)
        .putFeatures("clicks", i64(12)).putFeatures("score", dbl(0.75))
        .putFeatures("tags", Value.newBuilder().setStringListVal(StringList.newBuilder().addValues("a").addValues("b"))
            .build())
        .putFeatures("nickname", Value.getDefaultInstance())
        .build()));

    GetOnlineFeaturesResponse response = get(server, features(List.of(user(id)), "user_stats:*"));

    assertThat(pushed.getRowsWritten()).isEqualTo(1);
    assertThat(response.getFeatureNamesList()).containsExactly("clicks", "score", "tags", "nickname");
    assertThat(response.getFeatureRefsList())
        .containsExactly("user_stats:clicks", "user_stats:score", "user_stats:tags", "user_stats:nickname");
    List<Served> values = Served.results(response).get(0).getValuesList();
    assertThat(values).extracting(Served::getStatus).containsExactly(
        FeatureStatus.PRESENT, FeatureStatus.PRESENT, FeatureStatus.PRESENT, FeatureStatus.NULL_VALUE);
    assertThat(values).extracting(Served::getEventTimestamp).containsOnly(event);
    assertThat(values.get(0).getValue()).isEqualTo(i64(12));
    assertThat(values.get(1).getValue()).isEqualTo(dbl(0.75));
    assertThat(values.get(2).getValue().getStringListVal().getValuesList()).containsExactly("a", "b");
    assertThat(values.get(3).hasValue()).isFalse();
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_unknownEntity_notFoundWithZeroTimestamp(Server server) {
    long present = newUser();
    long missing = newUser();
    push(server, pushTo("user_stats", statsRow(present, NOW_MICROS - MINUTE, 3)));

    GetOnlineFeaturesResponse response =
        get(server, features(List.of(user(missing), user(present), user(missing)), "user_stats:clicks"));

    assertThat(Served.results(response)).extracting(r -> r.getValues(0).getStatus())
        .containsExactly(FeatureStatus.NOT_FOUND, FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND);
    assertThat(Served.results(response).get(0).getValues(0).getEventTimestamp()).isZero();
    assertThat(Served.results(response).get(0).getValues(0).hasValue()).isFalse();
    assertThat(Served.results(response).get(1).getValues(0).getValue()).isEqualTo(i64(3));
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_rowOlderThanTtl_outsideMaxAgeWithTimestampAndNoValue(Server server) {
    long old = newUser();
    long edge = newUser();
    long oldEvent = NOW_MICROS - 61 * MINUTE;
    long edgeEvent = NOW_MICROS - 60 * MINUTE;
    push(server, pushTo("user_stats", statsRow(old, oldEvent, 1), statsRow(edge, edgeEvent, 2)));
    push(server, pushTo("user_profile", PushRow.newBuilder().putKeys("user_id", i64(old))
        .setEventTimestamp(oldEvent - 1000 * MINUTE).putFeatures("age", Value.newBuilder().setInt32Val(40).build())
        .build()));

    GetOnlineFeaturesResponse response =
        get(server, features(List.of(user(old), user(edge)), "user_stats:clicks", "user_profile:age"));

    Served stale = Served.results(response).get(0).getValues(0);
    assertThat(stale.getStatus()).isEqualTo(FeatureStatus.OUTSIDE_MAX_AGE);
    assertThat(stale.getEventTimestamp()).isEqualTo(oldEvent);
    assertThat(stale.hasValue()).isFalse();
    assertThat(Served.results(response).get(0).getValues(1).getStatus())
        .as("a view without TTL never ages out").isEqualTo(FeatureStatus.PRESENT);
    assertThat(Served.results(response).get(1).getValues(0).getStatus())
        .as("exactly now - ttl is still fresh").isEqualTo(FeatureStatus.PRESENT);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_staleWithinExpiryGrace_outsideMaxAgeAndBeyondGrace_notFound(Server server) {
    long withinGrace = newUser();
    long beyondGrace = newUser();
    // TTL 1h and the default grace of one TTL: the store keeps a row until event + 2h (by its real clock, which
    // runs a little ahead of the fixed NOW while the tests run).
    long withinEvent = NOW_MICROS - 105 * MINUTE;
    push(server, pushTo("user_stats", statsRow(withinGrace, withinEvent, 1),
        statsRow(beyondGrace, NOW_MICROS - 121 * MINUTE, 2)));

    GetOnlineFeaturesResponse response =
        get(server, features(List.of(user(withinGrace), user(beyondGrace)), "user_stats:clicks"));

    Served stale = Served.results(response).get(0).getValues(0);
    assertThat(stale.getStatus()).as("kept by the store, stale by the clock").isEqualTo(FeatureStatus.OUTSIDE_MAX_AGE);
    assertThat(stale.getEventTimestamp()).isEqualTo(withinEvent);
    assertThat(Served.results(response).get(1).getValues(0).getStatus())
        .as("removed by the store after the grace").isEqualTo(FeatureStatus.NOT_FOUND);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_featureService_selectsItsFeaturesWithCompoundKeys(Server server) {
    long id = newUser();
    push(server, pushTo("user_stats", statsRow(id, NOW_MICROS - MINUTE, 5)));
    push(server, pushTo("user_merchant", PushRow.newBuilder().putKeys("user_id", i64(id))
        .putKeys("merchant_id", str("m-1")).setEventTimestamp(NOW_MICROS - MINUTE).putFeatures("spend", dbl(9.5))
        .build()));
    EntityRow known = EntityRow.newBuilder().putKeys("user_id", i64(id)).putKeys("merchant_id", str("m-1")).build();
    EntityRow otherMerchant =
        EntityRow.newBuilder().putKeys("user_id", i64(id)).putKeys("merchant_id", str("m-2")).build();

    GetOnlineFeaturesResponse response = get(server, GetOnlineFeaturesRequest.newBuilder()
        .setFeatureService("fraud_model").addEntities(known).addEntities(otherMerchant).build());

    assertThat(response.getFeatureNamesList()).containsExactly("clicks", "spend");
    assertThat(response.getFeatureRefsList()).containsExactly("user_stats:clicks", "user_merchant:spend");
    assertThat(Served.results(response).get(0).getValuesList()).extracting(Served::getValue)
        .containsExactly(i64(5), dbl(9.5));
    assertThat(Served.results(response).get(1).getValues(0).getStatus()).isEqualTo(FeatureStatus.PRESENT);
    assertThat(Served.results(response).get(1).getValues(1).getStatus()).isEqualTo(FeatureStatus.NOT_FOUND);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_distinctKeys_sharedKeyAnsweredOnceAndReadsAsPerRow(Server server) {
    long id = newUser();
    push(server, pushTo("user_stats", statsRow(id, NOW_MICROS - MINUTE, 7)));
    for (String merchant : List.of("m-1", "m-2")) {
      push(server, pushTo("user_merchant", PushRow.newBuilder().putKeys("user_id", i64(id))
          .putKeys("merchant_id", str(merchant)).setEventTimestamp(NOW_MICROS - 2 * MINUTE)
          .putFeatures("spend", dbl(merchant.equals("m-1") ? 1.5 : 2.5)).build()));
    }
    GetOnlineFeaturesRequest.Builder request = GetOnlineFeaturesRequest.newBuilder().setFeatureService("fraud_model");
    for (String merchant : List.of("m-1", "m-2", "m-3", "m-1")) {
      request.addEntities(EntityRow.newBuilder().putKeys("user_id", i64(id)).putKeys("merchant_id", str(merchant)));
    }

    GetOnlineFeaturesResponse compact = get(server, request.setDistinctKeys(true).build());
    GetOnlineFeaturesResponse perRow = get(server, request.setDistinctKeys(false).build());

    // user_stats: one user for the four rows; user_merchant: three distinct (user, merchant) keys of four rows
    assertThat(compact.getViewsList()).extracting(ViewRows::getFeatureView)
        .containsExactly("user_stats", "user_merchant");
    assertThat(compact.getViews(0).getKeyIndexList()).containsExactly(0, 0, 0, 0);
    assertThat(compact.getViews(0).getEventTimestampsList()).containsExactly(NOW_MICROS - MINUTE);
    assertThat(compact.getColumns(0).getInt64ValuesList()).containsExactly(7L);
    assertThat(compact.getViews(1).getKeyIndexList()).containsExactly(0, 1, 2, 0);
    assertThat(compact.getColumns(1).getStatusesList())
        .containsExactly(FeatureStatus.PRESENT, FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND);
    assertThat(perRow.getViewsList()).allSatisfy(view -> assertThat(view.getKeyIndexCount()).isZero());
    assertThat(perRow.getColumns(0).getInt64ValuesList()).containsExactly(7L, 7L, 7L, 7L);
    assertThat(Served.results(compact)).isEqualTo(Served.results(perRow));
    assertThat(Served.results(compact)).extracting(row -> row.getValues(1).getValue())
        .containsExactly(dbl(1.5), dbl(2.5), Value.getDefaultInstance(), dbl(1.5));
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_fullFeatureNames_qualifiesEveryName(Server server) {
    GetOnlineFeaturesResponse response = get(server, features(List.of(user(newUser())), "user_stats:clicks")
        .toBuilder().setFullFeatureNames(true).build());

    assertThat(response.getFeatureNamesList()).containsExactly("user_stats__clicks");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_clashingNames_qualifiesOnlyTheClash(Server server) {
    long id = newUser();
    push(server, pushTo("user_stats", PushRow.newBuilder().putKeys("user_id", i64(id))
        .setEventTimestamp(NOW_MICROS - MINUTE).putFeatures("score", dbl(1.0)).build()));
    push(server, pushTo("user_profile", PushRow.newBuilder().putKeys("user_id", i64(id))
        .setEventTimestamp(NOW_MICROS - MINUTE).putFeatures("score", dbl(2.0))
        .putFeatures("avatar", Value.newBuilder().setBytesVal(ByteString.copyFrom(new byte[] {0, -1})).build())
        .build()));

    GetOnlineFeaturesResponse response = get(server,
        features(List.of(user(id)), "user_stats:score", "user_stats:clicks", "user_profile:score",
            "user_profile:avatar"));

    assertThat(response.getFeatureNamesList())
        .containsExactly("user_stats__score", "clicks", "user_profile__score", "avatar");
    assertThat(Served.results(response).get(0).getValuesList()).extracting(Served::getValue).containsExactly(
        dbl(1.0), Value.getDefaultInstance(), dbl(2.0),
        Value.newBuilder().setBytesVal(ByteString.copyFrom(new byte[] {0, -1})).build());
  }

  @ParameterizedTest
  @MethodSource("servers")
  void push_olderEvent_doesNotOverwriteNewer(Server server) {
    long id = newUser();
    push(server, pushTo("user_stats", statsRow(id, NOW_MICROS - MINUTE, 2)));
    push(server, pushTo("user_stats", statsRow(id, NOW_MICROS - 2 * MINUTE, 1)));

    GetOnlineFeaturesResponse response = get(server, features(List.of(user(id)), "user_stats:clicks"));

    assertThat(Served.results(response).get(0).getValues(0).getValue()).isEqualTo(i64(2));
  }

  // ---- errors ----

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_unknownView_notFoundNamingIt(Server server) {
    Outcome<?> outcome = getRaw(server, features(List.of(user(1)), "no_such_view:x"));

    assertThat(outcome.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(outcome.message()).isEqualTo("Cannot find feature view 'no_such_view': it is not defined");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_unknownFeature_notFoundNamingIt(Server server) {
    Outcome<?> outcome = getRaw(server, features(List.of(user(1)), "user_stats:no_such_feature"));

    assertThat(outcome.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(outcome.message()).contains("'no_such_feature'");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_unknownService_notFoundNamingIt(Server server) {
    Outcome<?> outcome = getRaw(server, GetOnlineFeaturesRequest.newBuilder()
        .setFeatureService("no_such_service").addEntities(user(1)).build());

    assertThat(outcome.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(outcome.message()).isEqualTo("Cannot find feature service 'no_such_service': it is not defined");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_missingKey_invalidArgumentNamingKeyAndRow(Server server) {
    EntityRow noMerchant = EntityRow.newBuilder().putKeys("user_id", i64(1)).build();

    Outcome<?> outcome = getRaw(server, features(List.of(noMerchant), "user_merchant:spend"));

    assertThat(outcome.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(outcome.message()).isEqualTo("Cannot read entity row 0: join key 'merchant_id' (STRING) is missing");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_wrongKeyType_invalidArgumentNamingKeyAndRow(Server server) {
    EntityRow wrong = EntityRow.newBuilder().putKeys("user_id", str("42")).build();

    Outcome<?> outcome = getRaw(server, features(List.of(user(1), wrong), "user_stats:clicks"));

    assertThat(outcome.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(outcome.message()).isEqualTo("Cannot read entity row 1: join key 'user_id' must be INT64 but is STRING");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_malformedRef_invalidArgumentNamingIt(Server server) {
    Outcome<?> outcome = getRaw(server, features(List.of(user(1)), "user_stats"));

    assertThat(outcome.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(outcome.message())
        .isEqualTo("Cannot parse feature reference 'user_stats': expected 'view:feature' or 'view:*'");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void getOnlineFeatures_noEntities_invalidArgument(Server server) {
    Outcome<?> outcome = getRaw(server, features(List.of(), "user_stats:clicks"));

    assertThat(outcome.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(outcome.message()).isEqualTo("Cannot get online features: the request has no entity rows");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void push_badRow_invalidArgumentNamingRowAndFieldAndWritesNothing(Server server) {
    long good = newUser();
    long alsoGood = newUser();
    PushRow bad = PushRow.newBuilder().putKeys("user_id", i64(newUser())).setEventTimestamp(NOW_MICROS)
        .putFeatures("clicks", str("many")).build();

    Outcome<?> outcome = pushRaw(server,
        pushTo("user_stats", statsRow(good, NOW_MICROS - MINUTE, 1), bad, statsRow(alsoGood, NOW_MICROS, 2)));

    assertThat(outcome.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(outcome.message())
        .isEqualTo("Cannot read push row 1 of view 'user_stats': feature 'clicks' must be INT64 but is STRING");
    GetOnlineFeaturesResponse after =
        get(server, features(List.of(user(good), user(alsoGood)), "user_stats:clicks"));
    assertThat(Served.results(after)).extracting(r -> r.getValues(0).getStatus())
        .containsOnly(FeatureStatus.NOT_FOUND);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void push_invalidRows_invalidArgumentNamingRowAndField(Server server) {
    long id = newUser();
    PushRow noEvent = PushRow.newBuilder().putKeys("user_id", i64(id)).putFeatures("clicks", i64(1)).build();
    PushRow noKey = PushRow.newBuilder().setEventTimestamp(NOW_MICROS).putFeatures("clicks", i64(1)).build();
    PushRow unknownFeature = statsRow(id, NOW_MICROS, 1).toBuilder().putFeatures("bogus", i64(1)).build();
    PushRow unknownKey = statsRow(id, NOW_MICROS, 1).toBuilder().putKeys("merchant_id", str("m")).build();

    assertThat(pushRaw(server, pushTo("user_stats", statsRow(id, NOW_MICROS, 1), noEvent)).message())
        .isEqualTo("Cannot read push row 1 of view 'user_stats': event_timestamp must be positive UTC microseconds"
            + " but is 0");
    PushRow future = statsRow(id, NOW_MICROS + 3_600_000_000L, 1);
    assertThat(pushRaw(server, pushTo("user_stats", future)).message())
        .isEqualTo("Cannot read push row 0 of view 'user_stats': event_timestamp " + (NOW_MICROS + 3_600_000_000L)
            + " (" + NOW.plusSeconds(3600) + ") is more than PT5M after the server's clock; a value that becomes"
            + " true later is pushed then");
    assertThat(pushRaw(server, pushTo("user_stats", noKey)).message())
        .isEqualTo("Cannot read push row 0 of view 'user_stats': join key 'user_id' (INT64) is missing");
    assertThat(pushRaw(server, pushTo("user_stats", unknownFeature)).message())
        .isEqualTo("Cannot read push row 0 of view 'user_stats': feature 'bogus' is not a feature of the view");
    assertThat(pushRaw(server, pushTo("user_stats", unknownKey)).message())
        .isEqualTo("Cannot read push row 0 of view 'user_stats': 'merchant_id' is not a join key of the view");
    Outcome<?> empty = pushRaw(server, pushTo("user_stats"));
    assertThat(empty.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(empty.message()).isEqualTo("Cannot push to view 'user_stats': the request has no rows");
    assertThat(Served.results(get(server, features(List.of(user(id)), "user_stats:clicks"))).get(0).getValues(0).getStatus())
        .isEqualTo(FeatureStatus.NOT_FOUND);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void push_unknownView_notFoundNamingIt(Server server) {
    Outcome<?> outcome = pushRaw(server, pushTo("no_such_view", statsRow(1, NOW_MICROS, 1)));

    assertThat(outcome.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(outcome.message()).isEqualTo("Cannot find feature view 'no_such_view': it is not defined");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void server_afterErrors_keepsServing(Server server) {
    long id = newUser();
    for (int i = 0; i < 5; i++) {
      getRaw(server, features(List.of(user(1)), "bad ref"));
      pushRaw(server, pushTo("user_stats", statsRow(id, -1, 1)));
    }

    push(server, pushTo("user_stats", statsRow(id, NOW_MICROS - MINUTE, 77)));
    GetOnlineFeaturesResponse response = get(server, features(List.of(user(id)), "user_stats:clicks"));

    assertThat(Served.results(response).get(0).getValues(0).getValue()).isEqualTo(i64(77));
  }

  @org.junit.jupiter.api.Test
  void deploy_serversOfTwoInstancesOnPortZero_eachListensOnItsOwnPort() {
    // Both fixture servers run two instances each on port 0 in one Vert.x: each deployment shares one random port
    // between its instances, and the two deployments must not share theirs.
    List<Integer> ports = stores.both().map(named -> named.getPayload().port()).toList();

    assertThat(ports).doesNotHaveDuplicates().allMatch(port -> port > 0);
  }

  @org.junit.jupiter.api.Test
  void instances_zero_isRefusedNamingTheCount() {
    assertThatThrownBy(() -> OnlineServer.builder().instances(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot deploy 0 server instances: expected 1 or more");
  }

  @org.junit.jupiter.api.Test
  void getOnlineFeatures_storeDown_unavailableAndServerKeepsServing() throws Exception {
    RedisServerProcess doomed = RedisServerProcess.start();
    try (OnlineStore store = OnlineStores.open(doomed.uri())) {
      Server server = stores.deploy(store);
      long id = newUser();
      push(server, pushTo("user_stats", statsRow(id, NOW_MICROS - MINUTE, 4)));
      doomed.close();

      Outcome<?> read = getRaw(server, features(List.of(user(id)), "user_stats:clicks"));
      Outcome<?> write = pushRaw(server, pushTo("user_stats", statsRow(id, NOW_MICROS, 5)));

      assertThat(read.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
      assertThat(read.message()).startsWith("Cannot read 1 keys of view 'user_stats' from Redis: ");
      assertThat(write.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
      assertThat(write.message()).startsWith("Cannot write 1 rows of view 'user_stats' to Redis: ");
      Outcome<?> invalid = getRaw(server, features(List.of(), "user_stats:clicks"));
      assertThat(invalid.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
      stores.undeploy(server);
    } finally {
      doomed.close();
    }
  }
}
