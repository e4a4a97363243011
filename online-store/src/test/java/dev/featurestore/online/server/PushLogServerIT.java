package dev.featurestore.online.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.PushLog;
import dev.featurestore.proto.v1.OnlineServiceGrpcClient;
import dev.featurestore.proto.v1.PushRequest;
import dev.featurestore.proto.v1.PushResponse;
import dev.featurestore.proto.v1.PushRow;
import dev.featurestore.proto.v1.Value;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Push through the real gRPC server and a real Redis with a push log the test controls: a push is acknowledged
 * only after the log made it durable and the store wrote it; nothing of a refused request or of a push the log
 * could not keep reaches the store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushLogServerIT {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final long NOW_MICROS = NOW.getEpochSecond() * 1_000_000L;
  private static final AtomicLong USERS = new AtomicLong(5000);
  private static final FeatureView STATS = FeatureView.builder("user_stats").entity("user")
      .feature("clicks", ValueType.INT64).build();
  private static final Definitions DEFINITIONS = new Definitions(
      List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64))), List.of(STATS), List.of());

  /** A log whose appends complete when the test says so. */
  static final class ControlledLog implements PushLog {
    record Append(FeatureView view, List<FeatureRow> rows, CompletableFuture<Void> durable) {}

    final List<Append> appends = new CopyOnWriteArrayList<>();
    volatile boolean completeAtOnce = true;

    @Override
    public CompletionStage<Void> append(FeatureView view, List<FeatureRow> rows) {
      CompletableFuture<Void> durable = new CompletableFuture<>();
      appends.add(new Append(view, rows, durable));
      if (completeAtOnce) {
        durable.complete(null);
      }
      return durable;
    }

    @Override
    public void close() {}
  }

  private Vertx vertx;
  private RedisServerProcess redisServer;
  private OnlineStore store;
  private OnlineServiceGrpcClient client;
  private GrpcClient grpcClient;
  private SocketAddress address;
  private final ControlledLog log = new ControlledLog();

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    redisServer = RedisServerProcess.start();
    store = OnlineStores.open(redisServer.uri());
    OnlineServer server = OnlineServer.builder().host("127.0.0.1").port(0)
        .definitions(() -> DEFINITIONS).store(store).pushLog(log).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    vertx.deployVerticle(server).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    grpcClient = GrpcClient.client(vertx);
    address = SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.1");
    client = OnlineServiceGrpcClient.create(grpcClient, address);
  }

  @AfterAll
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (store != null) {
      store.close();
    }
    if (redisServer != null) {
      redisServer.close();
    }
  }

  @BeforeEach
  void reset() {
    log.appends.clear();
    log.completeAtOnce = true;
  }

  @Test
  void push_validRequest_logsTheValidatedRowsAndWritesThemOnline() throws Exception {
    long user = USERS.incrementAndGet();

    PushResponse response = await(client.push(pushOf(row(user, NOW_MICROS, 7))));

    assertThat(response.getRowsWritten()).isEqualTo(1);
    assertThat(log.appends).singleElement().satisfies(append -> {
      assertThat(append.view()).isEqualTo(STATS);
      assertThat(append.rows()).containsExactly(
          new FeatureRow(EntityKey.of(user), NOW_MICROS, NOW_MICROS, Map.of("clicks", 7L)));
    });
    assertThat(stored(user)).isNotNull();
  }

  @Test
  void push_logNotYetDurable_neitherAcknowledgedNorWrittenOnline() throws Exception {
    log.completeAtOnce = false;
    long user = USERS.incrementAndGet();

    Future<PushResponse> pending = client.push(pushOf(row(user, NOW_MICROS, 7)));
    Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> log.appends.size() == 1);

    assertThat(pending.isComplete()).isFalse();
    assertThat(stored(user)).isNull();
    log.appends.get(0).durable().complete(null);
    assertThat(await(pending).getRowsWritten()).isEqualTo(1);
    assertThat(stored(user)).isNotNull();
  }

  @Test
  void push_logFails_unavailableAndNothingWrittenOnline() throws Exception {
    log.completeAtOnce = false;
    long user = USERS.incrementAndGet();

    Future<Outcome> pending = pushRaw(pushOf(row(user, NOW_MICROS, 7)));
    Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> log.appends.size() == 1);
    log.appends.get(0).durable().completeExceptionally(
        new UnavailableException("Cannot log a push to view 'user_stats': the push log is closed", null));

    Outcome outcome = await(pending);
    assertThat(outcome.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(outcome.message()).isEqualTo("Cannot log a push to view 'user_stats': the push log is closed");
    assertThat(stored(user)).isNull();
  }

  @Test
  void push_oneBadRow_nothingReachesTheLogOrTheStore() throws Exception {
    long user = USERS.incrementAndGet();
    PushRow bad = PushRow.newBuilder().putKeys("user_id", i64(user + 1)).setEventTimestamp(NOW_MICROS)
        .putFeatures("clicks", Value.newBuilder().setStringVal("many").build()).build();

    Outcome outcome = await(pushRaw(pushOf(row(user, NOW_MICROS, 7), bad)));

    assertThat(outcome.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(outcome.message())
        .isEqualTo("Cannot read push row 1 of view 'user_stats': feature 'clicks' must be INT64 but is STRING");
    assertThat(log.appends).isEmpty();
    assertThat(stored(user)).isNull();
  }

  record Outcome(GrpcStatus status, String message) {}

  private Future<Outcome> pushRaw(PushRequest request) {
    return grpcClient.request(address, OnlineServiceGrpcClient.Push)
        .compose(call -> call.end(request).compose(v -> call.response()))
        .compose(response -> response.last().transform(
            result -> Future.succeededFuture(new Outcome(response.status(), response.statusMessage()))));
  }

  private FeatureRow stored(long user) throws Exception {
    return store.read(STATS, List.of(EntityKey.of(user))).toCompletableFuture().get(10, TimeUnit.SECONDS).get(0);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Value i64(long v) {
    return Value.newBuilder().setInt64Val(v).build();
  }

  private static PushRow row(long user, long event, long clicks) {
    return PushRow.newBuilder().putKeys("user_id", i64(user)).setEventTimestamp(event)
        .putFeatures("clicks", i64(clicks)).build();
  }

  private static PushRequest pushOf(PushRow... rows) {
    return PushRequest.newBuilder().setFeatureView("user_stats").addAllRows(List.of(rows)).build();
  }
}
