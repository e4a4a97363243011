package dev.featurestore.online.server;

import static dev.featurestore.online.server.ServedStores.await;
import static dev.featurestore.online.server.ServedStores.features;
import static dev.featurestore.online.server.ServedStores.i64;
import static dev.featurestore.online.server.ServedStores.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.online.server.ServedStores.Server;
import dev.featurestore.proto.v1.PushRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.featurestore.proto.v1.PushRow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The server's meters as an operator sees them: calls over real gRPC and HTTP/JSON to a server on a real Redis, then
 * {@code GET /metrics} scraped over HTTP and read as Prometheus text. Each test compares scrapes taken before and
 * after its own calls, so the tests share the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServingMetricsIT {
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final long NOW_MICROS = NOW.getEpochSecond() * 1_000_000L;
  private static final Definitions DEFINITIONS = new Definitions(
      List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64))),
      List.of(
          FeatureView.builder("metered_stats").entity("user").feature("clicks", ValueType.INT64).build(),
          FeatureView.builder("metered_profile").entity("user").feature("age", ValueType.INT64).build()),
      List.of());
  private static final String REQUESTS = "fstore_online_requests_seconds_count";

  private ServedStores stores;
  private Server server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  void start() {
    stores = ServedStores.start("metrics-it", DEFINITIONS, NOW);
    server = stores.redisServed();
  }

  @AfterAll
  void stop() {
    if (stores != null) {
      stores.close();
    }
  }

  @Test
  void getOnlineFeatures_overGrpcAndHttp_isCountedByProtocolAndStatus_withItsPhasesAndEntityRows() {
    Scrape before = scrape();

    for (int i = 0; i < 3; i++) {
      await(server.client().getOnlineFeatures(features(List.of(user(1), user(2)), "metered_stats:clicks")));
    }
    assertThatThrownBy(() -> await(server.client().getOnlineFeatures(features(List.of(user(1)), "nowhere:clicks"))))
        .hasStackTraceContaining("NOT_FOUND");
    assertThat(post("/v1/online-features", "application/json",
        "{\"features\": [\"metered_stats:clicks\"], \"entities\": [{\"user_id\": 3}]}").statusCode()).isEqualTo(200);
    assertThat(post("/v1/online-features", "text/plain", "{}").statusCode()).isEqualTo(415);

    Scrape after = scrape();
    assertThat(after.delta(before, REQUESTS, "get_online_features", "grpc", "OK")).isEqualTo(3);
    assertThat(after.delta(before, REQUESTS, "get_online_features", "grpc", "NOT_FOUND")).isEqualTo(1);
    assertThat(after.delta(before, REQUESTS, "get_online_features", "http", "OK")).isEqualTo(1);
    assertThat(after.delta(before, REQUESTS, "get_online_features", "http", "INVALID_ARGUMENT")).isEqualTo(1);
    // the phases and rows of the four reads that reached the store: 3 x 2 entities over gRPC, 1 over HTTP
    assertThat(after.delta(before, "fstore_online_read_phase_seconds_count", Map.of("phase", "store"))).isEqualTo(4);
    assertThat(after.delta(before, "fstore_online_read_phase_seconds_count", Map.of("phase", "encode")))
        .isEqualTo(4);
    assertThat(after.delta(before, "fstore_online_read_phase_seconds_sum", Map.of("phase", "store")))
        .isPositive();
    assertThat(after.delta(before, "fstore_online_entity_rows_count", Map.of())).isEqualTo(4);
    assertThat(after.delta(before, "fstore_online_entity_rows_sum", Map.of())).isEqualTo(7);
    // a histogram: the +Inf bucket holds every successful gRPC read, a sub-millisecond bucket exists
    assertThat(after.delta(before, "fstore_online_requests_seconds_bucket",
        Map.of("call", "get_online_features", "protocol", "grpc", "status", "OK", "le", "+Inf"))).isEqualTo(3);
    assertThat(after.bucketBounds("fstore_online_requests_seconds_bucket")).anyMatch(le -> le < 0.001);
  }

  @Test
  void push_countsRowsByView_andARefusedPushWritesNoRowsButIsCounted() {
    Scrape before = scrape();

    await(server.client().push(PushRequest.newBuilder().setFeatureView("metered_profile")
        .addRows(PushRow.newBuilder().putKeys("user_id", i64(10)).setEventTimestamp(NOW_MICROS)
            .putFeatures("age", i64(40)))
        .addRows(PushRow.newBuilder().putKeys("user_id", i64(11)).setEventTimestamp(NOW_MICROS)
            .putFeatures("age", i64(41)))
        .build()));
    assertThat(post("/v1/push", "application/json", "{\"feature_view\": \"metered_profile\", \"rows\": [{\"keys\":"
        + " {\"user_id\": 12}, \"features\": {\"age\": 42}, \"event_timestamp\": " + NOW_MICROS + "}]}")
        .statusCode()).isEqualTo(200);
    // row 1 names a feature the view does not have: nothing of the request is written
    assertThatThrownBy(() -> await(server.client().push(PushRequest.newBuilder().setFeatureView("metered_profile")
        .addRows(PushRow.newBuilder().putKeys("user_id", i64(13)).setEventTimestamp(NOW_MICROS)
            .putFeatures("age", i64(43)))
        .addRows(PushRow.newBuilder().putKeys("user_id", i64(14)).setEventTimestamp(NOW_MICROS)
            .putFeatures("height", i64(180)))
        .build()))).hasStackTraceContaining("INVALID_ARGUMENT");

    Scrape after = scrape();
    assertThat(after.delta(before, "fstore_online_pushed_rows_total", Map.of("view", "metered_profile")))
        .isEqualTo(3);
    assertThat(after.delta(before, "fstore_online_pushed_rows_total", Map.of("view", "metered_stats")))
        .isZero();
    assertThat(after.delta(before, REQUESTS, "push", "grpc", "OK")).isEqualTo(1);
    assertThat(after.delta(before, REQUESTS, "push", "http", "OK")).isEqualTo(1);
    assertThat(after.delta(before, REQUESTS, "push", "grpc", "INVALID_ARGUMENT")).isEqualTo(1);
  }

  @Test
  void metrics_isPrometheusText_andOnlyGet() {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/metrics")).GET());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body()).contains("# TYPE fstore_online_requests_seconds histogram");

    HttpResponse<String> posted = post("/metrics", "application/json", "{}");
    assertThat(posted.statusCode()).isEqualTo(405);
    assertThat(posted.headers().firstValue("allow")).hasValue("GET");
  }

  @Test
  void ownRegistry_recordsTheCalls_andWithoutPrometheusMetricsIsNotServed() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Server own = stores.deployRedis(registry);
    try {
      await(own.client().getOnlineFeatures(features(List.of(user(1)), "metered_stats:clicks")));

      assertThat(registry.get("fstore.online.requests")
          .tags("call", "get_online_features", "protocol", "grpc", "status", "OK").timer().count()).isEqualTo(1);
      HttpResponse<String> response = send(HttpRequest.newBuilder(uri(own, "/metrics")).GET());
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.body()).contains("GET /health\"").doesNotContain("GET /metrics");
    } finally {
      stores.undeploy(own);
    }
  }

  // ---- helpers ----

  private URI uri(String path) {
    return uri(server, path);
  }

  private static URI uri(Server server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private HttpResponse<String> post(String path, String contentType, String body) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("HTTP call failed", e);
    }
  }

  private Scrape scrape() {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/metrics")).GET());
    assertThat(response.statusCode()).isEqualTo(200);
    return Scrape.parse(response.body());
  }

  /** The samples of one Prometheus text scrape, by series: name and labels (sorted), as {@code name{a="x",b="y"}}. */
  private record Scrape(Map<String, Double> samples) {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Scrape parse(String text) {
      Map<String, Double> samples = new HashMap<>();
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        Matcher sample = SAMPLE.matcher(line);
        assertThat(sample.matches()).as("a Prometheus sample line: %s", line).isTrue();
        Map<String, String> labels = new TreeMap<>();
        if (sample.group(2) != null) {
          Matcher label = LABEL.matcher(sample.group(2));
          while (label.find()) {
            labels.put(label.group(1), label.group(2));
          }
        }
        samples.put(series(sample.group(1), labels), Double.parseDouble(sample.group(3)));
      }
      return new Scrape(samples);
    }

    static String series(String name, Map<String, String> labels) {
      StringBuilder text = new StringBuilder(name).append('{');
      new TreeMap<>(labels).forEach((key, value) -> text.append(key).append("=\"").append(value).append("\","));
      return text.append('}').toString();
    }

    /** The upper bounds ({@code le}) of the buckets of histogram series {@code bucketName}. */
    List<Double> bucketBounds(String bucketName) {
      Pattern le = Pattern.compile("le=\"([^\"]+)\"");
      return samples.keySet().stream().filter(series -> series.startsWith(bucketName + "{"))
          .map(le::matcher).filter(Matcher::find).map(found -> found.group(1)).filter(bound -> !bound.equals("+Inf"))
          .map(Double::parseDouble).toList();
    }

    /** How much the series grew since {@code before}; a series absent from a scrape counts as 0. */
    double delta(Scrape before, String name, Map<String, String> labels) {
      String series = series(name, labels);
      return samples.getOrDefault(series, 0.0) - before.samples.getOrDefault(series, 0.0);
    }

    double delta(Scrape before, String name, String call, String protocol, String status) {
      return delta(before, name, Map.of("call", call, "protocol", protocol, "status", status));
    }
  }
}
