package dev.featurestore.deploy.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.offline.OfflinePushLog;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.offline.OfflineStores;
import dev.featurestore.offline.PushLogOptions;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.registry.Registries;
import dev.featurestore.registry.Registry;
import dev.featurestore.sdk.FeatureStoreClient;
import dev.featurestore.sdk.PushRow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Push durability across a kill: a server in a process of its own takes pushes over gRPC and is killed with
 * SIGKILL as soon as enough acknowledgements have arrived; recovery on the same data directory must then put every
 * acknowledged row into the view's Iceberg table exactly once (and no row twice). Run with a flush interval that
 * keeps everything in the log until the kill, and with one that commits to Iceberg while the pushes go on, so the
 * kill can also fall between a commit and the deletion of its segment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushKillIT {
  private static final int ROWS_PER_PUSH = 5;
  private static final int MAX_PUSHES = 10_000;
  private static final int IN_FLIGHT = 4;

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

  @ParameterizedTest(name = "flush interval {0}, kill after {1} acknowledgements")
  @CsvSource({"PT1H, 150", "PT0.05S, 1500"})
  void kill_rightAfterAcknowledgements_recoveryHasEveryAcknowledgedRowExactlyOnce(
      String flushInterval, int killAfterAcks, @TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    PushFixtures.applyDefinitions(data);
    Path serverLog = dir.resolve("server.log");
    Process server = startServer(data, flushInterval, serverLog);
    Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    try {
      int port = awaitReady(server, serverLog);
      try (FeatureStoreClient client = FeatureStoreClient.connect("127.0.0.1", port)) {
        pushUntilKilled(client, server, killAfterAcks, acknowledged);
      }
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("server process ended").isTrue();
    } finally {
      if (server.isAlive()) {
        server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(killAfterAcks * ROWS_PER_PUSH);

    recover(data);

    List<Record> rows = PushFixtures.tableRows(data.resolve("warehouse"));
    Map<Long, Long> copies = rows.stream()
        .collect(Collectors.groupingBy(r -> (Long) r.getField("user_id"), Collectors.counting()));
    assertThat(copies.keySet()).containsAll(acknowledged);
    assertThat(copies).allSatisfy((user, count) -> assertThat(count).as("copies of user %d", user).isOne());
    assertThat(rows).allSatisfy(r -> assertThat(r.getField("clicks")).isEqualTo(r.getField("user_id")));
  }

  /**
   * Keeps {@value #IN_FLIGHT} pushes in flight and kills the server from the callback of the
   * {@code killAfterAcks}th acknowledgement: the kill follows the ack at once, before anything else runs.
   */
  private static void pushUntilKilled(
      FeatureStoreClient client, Process server, int killAfterAcks, Set<Long> acknowledged)
      throws InterruptedException {
    Semaphore window = new Semaphore(IN_FLIGHT);
    AtomicInteger acks = new AtomicInteger();
    AtomicBoolean killed = new AtomicBoolean();
    List<CompletableFuture<Long>> calls = new ArrayList<>();
    for (int push = 0; push < MAX_PUSHES && !killed.get(); push++) {
      window.acquire();
      List<Long> users = new ArrayList<>(ROWS_PER_PUSH);
      List<PushRow> rows = new ArrayList<>(ROWS_PER_PUSH);
      for (int r = 0; r < ROWS_PER_PUSH; r++) {
        long user = (long) push * ROWS_PER_PUSH + r + 1;
        users.add(user);
        rows.add(PushRow.of(Map.of("user_id", user), Map.of("clicks", user, "country", "c" + r),
            1_700_000_000_000_000L + user));
      }
      CompletableFuture<Long> call = client.push(PushFixtures.VIEW, rows).toCompletableFuture();
      call.whenComplete((written, failure) -> {
        if (failure == null) {
          acknowledged.addAll(users);
          if (acks.incrementAndGet() == killAfterAcks) {
            server.destroyForcibly();
            killed.set(true);
          }
        }
        window.release();
      });
      calls.add(call);
    }
    assertThat(killed).as("the server was killed after %d acknowledgements", killAfterAcks).isTrue();
    for (CompletableFuture<Long> call : calls) {
      // calls cut by the kill fail: whether their rows were kept is unknown, so they are not counted
      call.handle((written, failure) -> written).orTimeout(60, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
  }

  /** Opens the push log on the dead server's data directory, which replays what it left into Iceberg. */
  private static void recover(Path data) {
    try (Registry registry = Registries.embedded(data);
        OfflineStore offline = OfflineStores.local(data.resolve("warehouse"))) {
      OfflinePushLog log = OfflineStores.pushLog(data.resolve("push-wal"), offline,
          () -> registry.current().definitions(), PushLogOptions.defaults());
      log.close();
    }
  }

  private Process startServer(Path data, String flushInterval, Path serverLog) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"),
        PushServerMain.class.getName(), data.toString(), redis.uri(), flushInterval)
        .redirectError(serverLog.toFile())
        .start();
  }

  private static int awaitReady(Process server, Path serverLog) throws Exception {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process died: awaitReady reports it
      }
    }, "push-server-stdout");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(200, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith("READY ")) {
        return Integer.parseInt(line.substring("READY ".length()).trim());
      }
      if (line == null && !server.isAlive()) {
        break;
      }
    }
    throw new AssertionError("the server process did not become ready; its log:\n"
        + (Files.exists(serverLog) ? Files.readString(serverLog) : "(none)"));
  }
}
