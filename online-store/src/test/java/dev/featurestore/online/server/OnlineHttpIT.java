package dev.featurestore.online.server;

import static dev.featurestore.online.server.ServedStores.await;
import static dev.featurestore.online.server.ServedStores.features;
import static dev.featurestore.online.server.ServedStores.i64;
import static dev.featurestore.online.server.ServedStores.user;
import static org.assertj.core.api.Assertions.assertThat;

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
import dev.featurestore.proto.v1.PushRow;
import dev.featurestore.proto.v1.Value;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP/JSON endpoints end to end: the verticle on a free loopback port over a real Redis server and a real
 * Hazelcast member, called with the JDK's HTTP/1.1 client, and over gRPC on the same port to show both answer the
 * same data with the same messages. Tests use distinct user ids, so they share the stores.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnlineHttpIT {
  // The real time, to the second: stores expire rows by their own clock (event + TTL + grace), so a fixed date in the
  // past would have Redis drop every row of a view with a TTL before the test reads it.
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final long NOW_MICROS = NOW.getEpochSecond() * 1_000_000L;
  private static final long MINUTE = 60_000_000L;
  private static final AtomicLong USERS = new AtomicLong(5000);

  private static final Definitions DEFINITIONS = new Definitions(
      List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64)),
          Entity.of("merchant", JoinKey.of("merchant_id", ValueType.STRING))),
      List.of(
          FeatureView.builder("user_stats").entity("user").ttl(Duration.ofHours(1))
              .feature("clicks", ValueType.INT64).feature("score", ValueType.DOUBLE)
              .feature("tags", ValueType.STRING_LIST).feature("nickname", ValueType.STRING).build(),
          FeatureView.builder("user_profile").entity("user")
              .feature("age", ValueType.INT32).feature("score", ValueType.DOUBLE)
              .feature("avatar", ValueType.BYTES).feature("active", ValueType.BOOL)
              .feature("ratio", ValueType.FLOAT).feature("last_login", ValueType.TIMESTAMP)
              .feature("recent", ValueType.INT64_LIST).feature("weights", ValueType.DOUBLE_LIST)
              .feature("logins", ValueType.TIMESTAMP_LIST).feature("blobs", ValueType.BYTES_LIST).build(),
          FeatureView.builder("user_merchant").entity("user").entity("merchant")
              .feature("spend", ValueType.DOUBLE).build()),
      List.of(FeatureService.of("fraud_model",
          FeatureRef.of("user_stats", "clicks"), FeatureRef.of("user_merchant", "spend"))));

  private ServedStores stores;
  private HttpClient http;

  record Reply(int status, String allow, JsonObject body) {
    String errorCode() {
      return body.getJsonObject("error").getString("code");
    }

    String errorMessage() {
      return body.getJsonObject("error").getString("message");
    }
  }

  @BeforeAll
  void start() {
    stores = ServedStores.start("http-it", DEFINITIONS, NOW);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
        .build();
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

  private Reply send(Server server, String method, String path, String contentType, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
      return new Reply(response.statusCode(), response.headers().firstValue("allow").orElse(null),
          new JsonObject(response.body()));
    } catch (Exception e) {
      throw new AssertionError("HTTP call failed", e);
    }
  }

  private Reply post(Server server, String path, String json) {
    return send(server, "POST", path, "application/json", json);
  }

  private Reply read(Server server, String json) {
    return post(server, "/v1/online-features", json);
  }

  private Reply push(Server server, String json) {
    return post(server, "/v1/push", json);
  }

  /** "STATUS: message" of the gRPC service's answer to a read, to compare with the HTTP one. */
  private String grpcFailure(Server server, GetOnlineFeaturesRequest request) {
    return await(stores.grpcClient().request(server.address(), OnlineServiceGrpcClient.GetOnlineFeatures)
        .compose(call -> call.end(request).compose(v -> call.response()))
        .compose(response -> response.last().transform(done ->
            Future.succeededFuture(response.status().name() + ": " + response.statusMessage()))));
  }

  private static String userRow(long id, long event, long clicks) {
    return """
        {"keys": {"user_id": %d}, "event_timestamp": %d, "features": {"clicks": %d}}""".formatted(id, event, clicks);
  }

  private static String pushBody(String view, String... rows) {
    return "{\"feature_view\": \"" + view + "\", \"rows\": [" + String.join(", ", rows) + "]}";
  }

  private static String readBody(String selection, long... users) {
    StringBuilder entities = new StringBuilder();
    for (long user : users) {
      entities.append(entities.isEmpty() ? "" : ", ").append("{\"user_id\": ").append(user).append('}');
    }
    return "{" + selection + ", \"entities\": [" + entities + "]}";
  }

  private static long newUser() {
    return USERS.incrementAndGet();
  }

  private static JsonObject result(Reply reply, int row) {
    return reply.body().getJsonArray("results").getJsonObject(row);
  }

  // ---- reads and pushes ----

  @ParameterizedTest
  @MethodSource("servers")
  void onlineFeatures_pushedOverHttp_everyStatusWithNaturalValues(Server server) {
    long fresh = newUser();
    long stale = newUser();
    long missing = newUser();
    long event = NOW_MICROS - 10 * MINUTE;
    long oldEvent = NOW_MICROS - 61 * MINUTE;

    Reply pushed = push(server, pushBody("user_stats", """
        {"keys": {"user_id": %d}, "event_timestamp": %d,
         "features": {"clicks": 12, "score": 0.75, "tags": ["a", "b"], "nickname": null}}""".formatted(fresh, event),
        userRow(stale, oldEvent, 1)));
    Reply reply = read(server, readBody("\"features\": [\"user_stats:*\"]", fresh, stale, missing));

    assertThat(pushed.status()).isEqualTo(200);
    assertThat(pushed.body().encode()).isEqualTo("{\"rows_written\":2}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().getJsonArray("feature_names").encode())
        .isEqualTo("[\"clicks\",\"score\",\"tags\",\"nickname\"]");
    assertThat(reply.body().getJsonArray("feature_refs").encode())
        .isEqualTo("[\"user_stats:clicks\",\"user_stats:score\",\"user_stats:tags\",\"user_stats:nickname\"]");
    JsonObject present = result(reply, 0);
    assertThat(present.getJsonArray("values").encode()).isEqualTo("[12,0.75,[\"a\",\"b\"],null]");
    assertThat(present.getJsonArray("statuses").encode())
        .isEqualTo("[\"PRESENT\",\"PRESENT\",\"PRESENT\",\"NULL_VALUE\"]");
    assertThat(present.getJsonArray("event_timestamps").encode())
        .isEqualTo("[" + event + "," + event + "," + event + "," + event + "]");
    JsonObject old = result(reply, 1);
    assertThat(old.getJsonArray("values").encode()).isEqualTo("[null,null,null,null]");
    assertThat(old.getJsonArray("statuses").encode())
        .isEqualTo("[\"OUTSIDE_MAX_AGE\",\"OUTSIDE_MAX_AGE\",\"OUTSIDE_MAX_AGE\",\"OUTSIDE_MAX_AGE\"]");
    assertThat(old.getJsonArray("event_timestamps").getLong(0)).isEqualTo(oldEvent);
    JsonObject absent = result(reply, 2);
    assertThat(absent.getJsonArray("values").encode()).isEqualTo("[null,null,null,null]");
    assertThat(absent.getJsonArray("statuses").encode())
        .isEqualTo("[\"NOT_FOUND\",\"NOT_FOUND\",\"NOT_FOUND\",\"NOT_FOUND\"]");
    assertThat(absent.getJsonArray("event_timestamps").encode()).isEqualTo("[null,null,null,null]");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void push_everyValueType_storedTypedAndReadBackAsNaturalJson(Server server) {
    long id = newUser();

    Reply pushed = push(server, pushBody("user_profile", """
        {"keys": {"user_id": %d}, "event_timestamp": "2025-12-31T23:50:00Z",
         "created_timestamp": "2025-12-31T23:55:00+01:00",
         "features": {"age": 40, "score": 2, "avatar": "AP8=", "active": true, "ratio": 0.5,
                      "last_login": "2025-12-31T12:00:00.000001Z", "recent": [1, 2], "weights": [0.5, 1],
                      "logins": [1000, "1970-01-01T00:00:00.002Z"], "blobs": ["AQ=="]}}""".formatted(id)));
    Reply reply = read(server, readBody("\"features\": [\"user_profile:*\"]", id));
    GetOnlineFeaturesResponse grpc = await(server.client().getOnlineFeatures(features(List.of(user(id)),
        "user_profile:age", "user_profile:ratio", "user_profile:last_login", "user_profile:avatar")));

    long event = Instant.parse("2025-12-31T23:50:00Z").getEpochSecond() * 1_000_000L;
    long lastLogin = Instant.parse("2025-12-31T12:00:00Z").getEpochSecond() * 1_000_000L + 1;
    assertThat(pushed.status()).isEqualTo(200);
    assertThat(result(reply, 0).getJsonArray("values").encode()).isEqualTo(
        "[40,2.0,\"AP8=\",true,0.5," + lastLogin + ",[1,2],[0.5,1.0],[1000,2000],[\"AQ==\"]]");
    assertThat(result(reply, 0).getJsonArray("event_timestamps").getLong(0)).isEqualTo(event);
    assertThat(Served.results(grpc).get(0).getValuesList()).extracting(Served::getValue).containsExactly(
        Value.newBuilder().setInt32Val(40).build(), Value.newBuilder().setFloatVal(0.5f).build(),
        Value.newBuilder().setTimestampVal(lastLogin).build(),
        Value.newBuilder().setBytesVal(ByteString.copyFrom(new byte[] {0, -1})).build());
  }

  @ParameterizedTest
  @MethodSource("servers")
  void onlineFeatures_featureService_selectsItsFeaturesWithCompoundKeys(Server server) {
    long id = newUser();
    push(server, pushBody("user_stats", userRow(id, NOW_MICROS - MINUTE, 5)));
    push(server, pushBody("user_merchant", """
        {"keys": {"user_id": %d, "merchant_id": "m-1"}, "event_timestamp": %d, "features": {"spend": 9.5}}"""
        .formatted(id, NOW_MICROS - MINUTE)));

    Reply reply = read(server, """
        {"feature_service": "fraud_model",
         "entities": [{"user_id": %d, "merchant_id": "m-1"}, {"user_id": %d, "merchant_id": "m-2"}]}"""
        .formatted(id, id));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().getJsonArray("feature_names").encode()).isEqualTo("[\"clicks\",\"spend\"]");
    assertThat(reply.body().getJsonArray("feature_refs").encode())
        .isEqualTo("[\"user_stats:clicks\",\"user_merchant:spend\"]");
    assertThat(result(reply, 0).getJsonArray("values").encode()).isEqualTo("[5,9.5]");
    assertThat(result(reply, 1).getJsonArray("values").encode()).isEqualTo("[5,null]");
    assertThat(result(reply, 1).getJsonArray("statuses").encode()).isEqualTo("[\"PRESENT\",\"NOT_FOUND\"]");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void onlineFeatures_fullFeatureNames_qualifiesEveryName(Server server) {
    Reply reply = read(server, """
        {"features": ["user_stats:clicks"], "entities": [{"user_id": %d}], "full_feature_names": true}"""
        .formatted(newUser()));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().getJsonArray("feature_names").encode()).isEqualTo("[\"user_stats__clicks\"]");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void push_olderEvent_doesNotOverwriteNewer(Server server) {
    long id = newUser();
    push(server, pushBody("user_stats", userRow(id, NOW_MICROS - MINUTE, 2)));
    Reply older = push(server, pushBody("user_stats", userRow(id, NOW_MICROS - 2 * MINUTE, 1)));

    Reply reply = read(server, readBody("\"features\": [\"user_stats:clicks\"]", id));

    assertThat(older.status()).isEqualTo(200);
    assertThat(result(reply, 0).getJsonArray("values").encode()).isEqualTo("[2]");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void grpcAndHttp_onTheSamePort_seeEachOthersWrites(Server server) {
    long viaGrpc = newUser();
    long viaHttp = newUser();
    await(server.client().push(PushRequest.newBuilder().setFeatureView("user_stats").addRows(PushRow.newBuilder()
        .putKeys("user_id", i64(viaGrpc)).setEventTimestamp(NOW_MICROS - MINUTE).putFeatures("clicks", i64(31)))
        .build()));
    push(server, pushBody("user_stats", userRow(viaHttp, NOW_MICROS - MINUTE, 32)));

    Reply overHttp = read(server, readBody("\"features\": [\"user_stats:clicks\"]", viaGrpc, viaHttp));
    GetOnlineFeaturesResponse overGrpc =
        await(server.client().getOnlineFeatures(features(List.of(user(viaGrpc), user(viaHttp)), "user_stats:clicks")));

    assertThat(overHttp.body().getJsonArray("results").stream()
        .map(r -> ((JsonObject) r).getJsonArray("values").getLong(0))).containsExactly(31L, 32L);
    assertThat(Served.results(overGrpc)).extracting(r -> r.getValues(0).getValue()).containsExactly(i64(31), i64(32));
    assertThat(Served.results(overGrpc).get(1).getValues(0).getStatus()).isEqualTo(FeatureStatus.PRESENT);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void health_get_up(Server server) {
    Reply reply = send(server, "GET", "/health", null, null);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().encode()).isEqualTo("{\"status\":\"UP\"}");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void onlineFeatures_http2Client_servedAsJson(Server server) throws Exception {
    long id = newUser();
    push(server, pushBody("user_stats", userRow(id, NOW_MICROS - MINUTE, 8)));
    HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

    HttpResponse<String> response = http2.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/v1/online-features"))
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(readBody("\"features\": [\"user_stats:clicks\"]", id)))
        .build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getJsonArray("results").getJsonObject(0).getJsonArray("values")
        .encode()).isEqualTo("[8]");
  }

  // ---- errors of the service: the gRPC statuses and messages ----

  @ParameterizedTest
  @MethodSource("servers")
  void onlineFeatures_unknownNames_404NamingThemAsGrpcDoes(Server server) {
    Reply view = read(server, readBody("\"features\": [\"no_such_view:x\"]", 1));
    Reply feature = read(server, readBody("\"features\": [\"user_stats:no_such_feature\"]", 1));
    Reply service = read(server, readBody("\"feature_service\": \"no_such_service\"", 1));

    assertThat(List.of(view.status(), feature.status(), service.status())).containsOnly(404);
    assertThat(List.of(view.errorCode(), feature.errorCode(), service.errorCode())).containsOnly("NOT_FOUND");
    assertThat(view.errorMessage()).isEqualTo("Cannot find feature view 'no_such_view': it is not defined");
    assertThat(feature.errorMessage())
        .isEqualTo("Cannot find feature 'user_stats:no_such_feature': view 'user_stats' has no feature"
            + " 'no_such_feature'");
    assertThat(service.errorMessage()).isEqualTo("Cannot find feature service 'no_such_service': it is not defined");
    assertThat(grpcFailure(server, features(List.of(user(1)), "no_such_view:x")))
        .isEqualTo("NOT_FOUND: " + view.errorMessage());
    assertThat(grpcFailure(server, (GetOnlineFeaturesRequest.newBuilder()
        .setFeatureService("no_such_service").addEntities(user(1)).build())))
        .isEqualTo("NOT_FOUND: " + service.errorMessage());
  }

  @ParameterizedTest
  @MethodSource("servers")
  void push_unknownView_404NamingIt(Server server) {
    Reply reply = push(server, pushBody("no_such_view", userRow(1, NOW_MICROS, 1)));

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.errorCode()).isEqualTo("NOT_FOUND");
    assertThat(reply.errorMessage()).isEqualTo("Cannot find feature view 'no_such_view': it is not defined");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void onlineFeatures_missingOrMistypedKey_400NamingKeyAndRowAsGrpcDoes(Server server) {
    Reply missing = read(server, """
        {"features": ["user_merchant:spend"], "entities": [{"user_id": 1}]}""");
    Reply string = read(server, """
        {"features": ["user_stats:clicks"], "entities": [{"user_id": 1}, {"user_id": "42"}]}""");
    Reply fraction = read(server, """
        {"features": ["user_stats:clicks"], "entities": [{"user_id": 1.5}]}""");
    Reply object = read(server, """
        {"features": ["user_stats:clicks"], "entities": [{"user_id": {"id": 1}}]}""");

    assertThat(List.of(missing.status(), string.status(), fraction.status(), object.status())).containsOnly(400);
    assertThat(missing.errorCode()).isEqualTo("INVALID_ARGUMENT");
    assertThat(missing.errorMessage())
        .isEqualTo("Cannot read entity row 0: join key 'merchant_id' (STRING) is missing");
    assertThat(string.errorMessage())
        .isEqualTo("Cannot read entity row 1: join key 'user_id' must be INT64 but is STRING");
    assertThat(fraction.errorMessage())
        .isEqualTo("Cannot read entity row 0: join key 'user_id' must be INT64 but is DOUBLE");
    assertThat(object.errorMessage())
        .isEqualTo("Cannot read entity row 0: join key 'user_id' must be INT64 but is {\"id\":1}");
    EntityRow wrong = EntityRow.newBuilder()
        .putKeys("user_id", Value.newBuilder().setStringVal("42").build()).build();
    assertThat(grpcFailure(server, features(List.of(user(1), wrong), "user_stats:clicks")))
        .isEqualTo("INVALID_ARGUMENT: " + string.errorMessage());
  }

  @ParameterizedTest
  @MethodSource("servers")
  void onlineFeatures_malformedRefOrNoEntities_400(Server server) {
    Reply ref = read(server, readBody("\"features\": [\"user_stats\"]", 1));
    Reply none = read(server, "{\"features\": [\"user_stats:clicks\"], \"entities\": []}");
    Reply noSelection = read(server, "{\"entities\": [{\"user_id\": 1}]}");
    Reply both = read(server, "{\"features\": [\"user_stats:clicks\"], \"feature_service\": \"fraud_model\","
        + " \"entities\": [{\"user_id\": 1}]}");

    assertThat(List.of(ref.status(), none.status(), noSelection.status(), both.status())).containsOnly(400);
    assertThat(ref.errorMessage())
        .isEqualTo("Cannot parse feature reference 'user_stats': expected 'view:feature' or 'view:*'");
    assertThat(none.errorMessage()).isEqualTo("Cannot get online features: the request has no entity rows");
    assertThat(noSelection.errorMessage())
        .isEqualTo("Cannot get online features: the request names neither features nor a feature service");
    assertThat(both.errorMessage()).isEqualTo(
        "Cannot read request body: it names both 'features' and 'feature_service'; give one of them");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void push_badRow_400NamingRowAndFieldAndWritesNothing(Server server) {
    long good = newUser();
    long alsoGood = newUser();
    String bad = """
        {"keys": {"user_id": %d}, "event_timestamp": %d, "features": {"clicks": "many"}}"""
        .formatted(newUser(), NOW_MICROS);

    Reply reply = push(server,
        pushBody("user_stats", userRow(good, NOW_MICROS - MINUTE, 1), bad, userRow(alsoGood, NOW_MICROS, 2)));
    Reply after = read(server, readBody("\"features\": [\"user_stats:clicks\"]", good, alsoGood));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorCode()).isEqualTo("INVALID_ARGUMENT");
    assertThat(reply.errorMessage())
        .isEqualTo("Cannot read push row 1 of view 'user_stats': feature 'clicks' must be INT64 but is STRING");
    assertThat(after.body().getJsonArray("results").stream()
        .map(r -> ((JsonObject) r).getJsonArray("statuses").getString(0))).containsOnly("NOT_FOUND");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void push_invalidRows_400NamingRowAndField(Server server) {
    long id = newUser();
    String noEvent = "{\"keys\": {\"user_id\": " + id + "}, \"features\": {\"clicks\": 1}}";
    String noKey = "{\"event_timestamp\": " + NOW_MICROS + ", \"features\": {\"clicks\": 1}}";
    String unknownFeature = "{\"keys\": {\"user_id\": " + id + "}, \"event_timestamp\": " + NOW_MICROS
        + ", \"features\": {\"bogus\": 1}}";
    String unknownKey = "{\"keys\": {\"user_id\": " + id + ", \"merchant_id\": \"m\"}, \"event_timestamp\": "
        + NOW_MICROS + "}";
    String badInstant = "{\"keys\": {\"user_id\": " + id + "}, \"event_timestamp\": \"yesterday\"}";
    String badBase64 = "{\"keys\": {\"user_id\": " + id + "}, \"event_timestamp\": " + NOW_MICROS
        + ", \"features\": {\"avatar\": \"not base64!\"}}";
    String mixedList = "{\"keys\": {\"user_id\": " + id + "}, \"event_timestamp\": " + NOW_MICROS
        + ", \"features\": {\"recent\": [1, \"two\"]}}";
    String unknownMember = "{\"keys\": {\"user_id\": " + id + "}, \"event_time\": " + NOW_MICROS + "}";

    assertThat(push(server, pushBody("user_stats", userRow(id, NOW_MICROS, 1), noEvent)).errorMessage())
        .isEqualTo("Cannot read push row 1 of view 'user_stats': event_timestamp must be positive UTC microseconds"
            + " but is 0");
    assertThat(push(server, pushBody("user_stats", noKey)).errorMessage())
        .isEqualTo("Cannot read push row 0 of view 'user_stats': join key 'user_id' (INT64) is missing");
    assertThat(push(server, pushBody("user_stats", unknownFeature)).errorMessage())
        .isEqualTo("Cannot read push row 0 of view 'user_stats': feature 'bogus' is not a feature of the view");
    assertThat(push(server, pushBody("user_stats", unknownKey)).errorMessage())
        .isEqualTo("Cannot read push row 0 of view 'user_stats': 'merchant_id' is not a join key of the view");
    assertThat(push(server, pushBody("user_stats", badInstant)).errorMessage())
        .isEqualTo("Cannot read push row 0 of view 'user_stats': event_timestamp must be UTC microseconds or an"
            + " ISO-8601 instant but is \"yesterday\"");
    assertThat(push(server, pushBody("user_profile", badBase64)).errorMessage())
        .isEqualTo("Cannot read push row 0 of view 'user_profile': feature 'avatar' must be BYTES (base64) but is"
            + " \"not base64!\"");
    assertThat(push(server, pushBody("user_profile", mixedList)).errorMessage())
        .isEqualTo("Cannot read push row 0 of view 'user_profile': feature 'recent' must be INT64_LIST but is"
            + " [1,\"two\"]");
    assertThat(push(server, pushBody("user_stats", unknownMember)).errorMessage())
        .isEqualTo("Cannot read push row 0 of view 'user_stats': unknown member 'event_time' (expected keys,"
            + " features, event_timestamp, created_timestamp)");
    Reply empty = push(server, pushBody("user_stats"));
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.errorMessage()).isEqualTo("Cannot push to view 'user_stats': the request has no rows");
    assertThat(result(read(server, readBody("\"features\": [\"user_stats:clicks\", \"user_profile:*\"]", id)), 0)
        .getJsonArray("statuses").stream()).containsOnly("NOT_FOUND");
  }

  // ---- errors of HTTP itself ----

  @ParameterizedTest
  @MethodSource("servers")
  void post_malformedJson_400NamingTheProblem(Server server) {
    Reply syntax = read(server, "{\"features\": [\"user_stats:clicks\"],}");
    Reply array = read(server, "[1, 2]");
    Reply empty = read(server, "");
    Reply member = read(server, "{\"feature\": [\"user_stats:clicks\"]}");
    Reply shape = read(server, "{\"features\": \"user_stats:clicks\", \"entities\": [{\"user_id\": 1}]}");
    Reply trailing = read(server, "{\"entities\": []} x");

    assertThat(List.of(syntax.status(), array.status(), empty.status(), member.status(), shape.status(),
        trailing.status())).containsOnly(400);
    assertThat(syntax.errorCode()).isEqualTo("INVALID_ARGUMENT");
    assertThat(syntax.errorMessage()).startsWith("Cannot read request body: Unexpected character ('}'")
        .endsWith("at line 1, column 36");
    assertThat(array.errorMessage()).isEqualTo("Cannot read request body: expected a JSON object but got [1,2]");
    assertThat(empty.errorMessage()).isEqualTo("Cannot read request body: it is empty; expected a JSON object");
    assertThat(member.errorMessage()).isEqualTo("Cannot read request body: unknown member 'feature' (expected"
        + " features or feature_service, entities, full_feature_names)");
    assertThat(shape.errorMessage()).isEqualTo("Cannot read request body: 'features' must be an array of"
        + " references like \"view:feature\" but is \"user_stats:clicks\"");
    assertThat(trailing.errorMessage()).startsWith("Cannot read request body: ");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void post_notJson_415(Server server) {
    Reply text = send(server, "POST", "/v1/push", "text/plain", "{}");
    Reply none = send(server, "POST", "/v1/online-features", null, "{}");

    assertThat(text.status()).isEqualTo(415);
    assertThat(text.errorCode()).isEqualTo("INVALID_ARGUMENT");
    assertThat(text.errorMessage())
        .isEqualTo("Cannot read request body: Content-Type must be application/json but is 'text/plain'");
    assertThat(none.status()).isEqualTo(415);
    assertThat(none.errorMessage())
        .isEqualTo("Cannot read request body: Content-Type must be application/json but is missing");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void wrongMethod_405WithAllow(Server server) {
    Reply get = send(server, "GET", "/v1/online-features", null, null);
    Reply delete = send(server, "DELETE", "/health", null, null);

    assertThat(get.status()).isEqualTo(405);
    assertThat(get.allow()).isEqualTo("POST");
    assertThat(get.errorCode()).isEqualTo("UNIMPLEMENTED");
    assertThat(get.errorMessage()).isEqualTo("Cannot serve GET /v1/online-features: the method must be POST");
    assertThat(delete.status()).isEqualTo(405);
    assertThat(delete.allow()).isEqualTo("GET");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void unknownPath_404Json(Server server) {
    Reply reply = post(server, "/v2/online-features", "{}");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.errorCode()).isEqualTo("NOT_FOUND");
    assertThat(reply.errorMessage()).isEqualTo("Cannot find path '/v2/online-features': the HTTP endpoints are"
        + " POST /v1/online-features, POST /v1/push, GET /health and GET /metrics");
  }

  @Test
  void post_bodyOverLimit_413AndServerKeepsServing() {
    String huge = "{\"features\": [\"" + "x".repeat((int) OnlineHttpApi.MAX_BODY_BYTES) + "\"]}";

    Reply reply = read(stores.redisServed(), huge);
    Reply next = send(stores.redisServed(), "GET", "/health", null, null);

    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.errorCode()).isEqualTo("INVALID_ARGUMENT");
    assertThat(reply.errorMessage()).isEqualTo("Cannot read request body: it is larger than 16777216 bytes");
    assertThat(next.status()).isEqualTo(200);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void server_afterErrors_keepsServingBothProtocols(Server server) {
    long id = newUser();
    for (int i = 0; i < 5; i++) {
      read(server, "{not json");
      push(server, pushBody("user_stats", userRow(id, -1, 1)));
      send(server, "PUT", "/v1/push", "application/json", "{}");
    }

    Reply pushed = push(server, pushBody("user_stats", userRow(id, NOW_MICROS - MINUTE, 77)));
    Reply reply = read(server, readBody("\"features\": [\"user_stats:clicks\"]", id));
    GetOnlineFeaturesResponse grpc =
        await(server.client().getOnlineFeatures(features(List.of(user(id)), "user_stats:clicks")));

    assertThat(pushed.status()).isEqualTo(200);
    assertThat(result(reply, 0).getJsonArray("values").encode()).isEqualTo("[77]");
    assertThat(Served.results(grpc).get(0).getValues(0).getValue()).isEqualTo(i64(77));
  }

  @Test
  void post_storeDown_503AndServerKeepsServing() throws Exception {
    RedisServerProcess doomed = RedisServerProcess.start();
    try (OnlineStore store = OnlineStores.open(doomed.uri())) {
      Server server = stores.deploy(store);
      long id = newUser();
      push(server, pushBody("user_stats", userRow(id, NOW_MICROS - MINUTE, 4)));
      doomed.close();

      Reply read = read(server, readBody("\"features\": [\"user_stats:clicks\"]", id));
      Reply write = push(server, pushBody("user_stats", userRow(id, NOW_MICROS, 5)));
      Reply invalid = read(server, readBody("\"features\": [\"user_stats:clicks\"]"));

      assertThat(read.status()).isEqualTo(503);
      assertThat(read.errorCode()).isEqualTo("UNAVAILABLE");
      assertThat(read.errorMessage()).startsWith("Cannot read 1 keys of view 'user_stats' from Redis: ");
      assertThat(write.status()).isEqualTo(503);
      assertThat(write.errorMessage()).startsWith("Cannot write 1 rows of view 'user_stats' to Redis: ");
      assertThat(invalid.status()).isEqualTo(400);
      stores.undeploy(server);
    } finally {
      doomed.close();
    }
  }
}
