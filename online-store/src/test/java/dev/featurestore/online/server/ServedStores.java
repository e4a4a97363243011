package dev.featurestore.online.server;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.FeatureList;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import dev.featurestore.proto.v1.OnlineServiceGrpcClient;
import dev.featurestore.proto.v1.Value;
import io.vertx.core.Future;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/**
 * The fixture the server ITs share: a real redis-server and an embedded Hazelcast member, each behind its own
 * {@link OnlineServer} on a free loopback port, with fixed definitions and a fixed clock, plus the proto helpers the
 * tests build requests with. Closing it stops everything it started.
 */
final class ServedStores implements AutoCloseable {
  /** One deployed server: its verticle, its address and a generated gRPC client of it. */
  record Server(OnlineServer verticle, SocketAddress address, OnlineServiceGrpcClient client) {
    int port() {
      return address.port();
    }
  }

  private final Definitions definitions;
  private final Instant now;
  private final Vertx vertx = Vertx.vertx();
  private final GrpcClient grpcClient = GrpcClient.client(vertx);
  private RedisServerProcess redisServer;
  private OnlineStore redis;
  private OnlineStore hazelcast;
  private Server redisServed;
  private Server hazelcastServed;

  private ServedStores(Definitions definitions, Instant now) {
    this.definitions = definitions;
    this.now = now;
  }

  /** Starts both stores and a server on each; {@code cluster} names the Hazelcast cluster apart from other tests'. */
  static ServedStores start(String cluster, Definitions definitions, Instant now) {
    ServedStores stores = new ServedStores(definitions, now);
    try {
      stores.redisServer = RedisServerProcess.start();
      stores.redis = OnlineStores.open(stores.redisServer.uri());
      int port = RedisServerProcess.freePort();
      stores.hazelcast = OnlineStores.open(
          "hazelcast:embedded?cluster=" + cluster + "-" + port + "&port=" + port + "&members=127.0.0.1:" + port);
      stores.redisServed = stores.deploy(stores.redis);
      stores.hazelcastServed = stores.deploy(stores.hazelcast);
      return stores;
    } catch (RuntimeException e) {
      stores.close();
      throw e;
    }
  }

  /** Both servers, named for the parameterized tests' display names. */
  Stream<Named<Server>> both() {
    return Stream.of(Named.of("redis", redisServed), Named.of("hazelcast", hazelcastServed));
  }

  Server redisServed() {
    return redisServed;
  }

  GrpcClient grpcClient() {
    return grpcClient;
  }

  /**
   * Serves another store with the same definitions and clock, for tests that break their own store. Two verticle
   * instances share the port, so every test also runs over more than one event loop.
   */
  Server deploy(OnlineStore store) {
    return deploy(OnlineServer.builder().store(store));
  }

  /** Serves the Redis store like {@link #redisServed()}, recording its meters into {@code registry}. */
  Server deployRedis(MeterRegistry registry) {
    return deploy(OnlineServer.builder().store(redis).meterRegistry(registry));
  }

  private Server deploy(OnlineServer.Builder builder) {
    OnlineServer verticle = await(builder
        .host("127.0.0.1").port(0).instances(2)
        .definitions(() -> definitions).clock(Clock.fixed(now, ZoneOffset.UTC))
        .deploy(vertx));
    SocketAddress address = SocketAddress.inetSocketAddress(verticle.actualPort(), "127.0.0.1");
    return new Server(verticle, address, OnlineServiceGrpcClient.create(grpcClient, address));
  }

  void undeploy(Server server) {
    await(vertx.undeploy(server.verticle().deploymentID()));
  }

  @Override
  public void close() {
    try {
      await(vertx.close());
    } finally {
      if (hazelcast != null) {
        hazelcast.close();
      }
      if (redis != null) {
        redis.close();
      }
      if (redisServer != null) {
        redisServer.close();
      }
    }
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("call failed", e);
    }
  }

  static Value i64(long v) {
    return Value.newBuilder().setInt64Val(v).build();
  }

  static EntityRow user(long id) {
    return EntityRow.newBuilder().putKeys("user_id", i64(id)).build();
  }

  static GetOnlineFeaturesRequest features(List<EntityRow> rows, String... refs) {
    return GetOnlineFeaturesRequest.newBuilder()
        .setFeatures(FeatureList.newBuilder().addAllFeatures(List.of(refs))).addAllEntities(rows).build();
  }
}
