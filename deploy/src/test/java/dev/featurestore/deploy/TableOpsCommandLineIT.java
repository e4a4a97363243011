package dev.featurestore.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.deploy.cli.FstoreCommand;
import dev.featurestore.deploy.server.FeatureServer;
import dev.featurestore.offline.RetentionPolicy;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.sdk.DefinitionsYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline operations on the command line, as an operator runs them against a real Redis: incremental
 * materialization, compaction, snapshot expiry, and the table care schedule of {@code serve}. Steps build on each
 * other, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TableOpsCommandLineIT {
  private static final FeatureView TXN = FeatureView.builder("txn")
      .entity("user")
      .feature("amount", ValueType.DOUBLE)
      .build();
  private static final Definitions DEFS =
      new Definitions(List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64))), List.of(TXN), List.of());

  private Path dir;
  private Path dataDir;
  private RedisServerProcess redis;
  private int files;


  @BeforeAll
  void setUp(@TempDir Path tempDir) {
    dir = tempDir;
    dataDir = dir.resolve("data");
    redis = RedisServerProcess.start();
  }

  @AfterAll
  void tearDown() {
    redis.close();
  }

  @Test
  @Order(1)
  void help_newCommands_describeThemselves() {
    for (String command : List.of("materialize-incremental", "compact", "expire-snapshots")) {
      FstoreRun run = run(command, "--help");
      assertThat(run.exitCode()).as(command).isZero();
      assertThat(run.out()).as(command).contains("Usage: fstore " + command).contains("--views");
    }
  }

  @Test
  @Order(2)
  void materializeIncremental_firstRun_readsWholeTable() {
    Path yaml = dir.resolve("repo.yaml");
    DefinitionsYaml.write(DEFS, yaml);
    assertThat(run("apply", "-f", yaml.toString()).exitCode()).isZero();
    ingest("1,2024-01-01T10:00:00Z,1.0", "2,2024-01-01T11:00:00Z,2.0");

    FstoreRun run = run("materialize-incremental");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("materialized 'txn' in full up to snapshot").contains("2 keys from 2 rows");
    assertThat(online(1L).value("amount")).isEqualTo(1.0);
  }

  @Test
  @Order(3)
  void materializeIncremental_afterIngest_movesOnlyTheNewRows() {
    ingest("1,2024-01-02T10:00:00Z,10.0");

    FstoreRun run = run("materialize-incremental", "-v", "txn");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("materialized 'txn' from snapshot").contains("1 keys from 1 rows");
    assertThat(online(1L).value("amount")).isEqualTo(10.0);
    assertThat(run("materialize-incremental").out()).contains("'txn' is up to date at snapshot");
  }

  @Test
  @Order(4)
  void compact_smallFiles_mergesThem() {
    ingest("3,2024-01-01T12:00:00Z,3.0");

    FstoreRun run = run("compact");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("compacted 'txn': 3 files -> 2 (2 small files merged into 1, 3 rows)");
  }

  @Test
  @Order(5)
  void expireSnapshots_retainLastOne_expiresTheRest() {
    FstoreRun run = run("expire-snapshots", "--snapshot-max-age", "PT0S", "--snapshot-retain-last", "1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("expired 3 of 4 snapshots of 'txn'");
    // the watermark's snapshot is gone: the next run reads everything again, with the same online result
    assertThat(run("materialize-incremental").out()).contains("in full up to snapshot");
    assertThat(online(1L).value("amount")).isEqualTo(10.0);
  }

  @Test
  @Order(6)
  void commands_unknownViewOrBadPolicy_areRefusedNamingTheValue() {
    FstoreRun unknown = run("compact", "-v", "nope");
    FstoreRun badPolicy = run("expire-snapshots", "--snapshot-retain-last", "0");

    assertThat(unknown.exitCode()).isEqualTo(FstoreCommand.EXIT_REFUSED);
    assertThat(unknown.err()).contains("'nope'");
    assertThat(badPolicy.exitCode()).isEqualTo(FstoreCommand.EXIT_REFUSED);
    assertThat(badPolicy.err()).contains("retain-last 0 must be at least 1");
  }

  @Test
  @Order(7)
  void serve_tableCareScheduled_compactsSmallAppends() {
    for (int i = 0; i < 3; i++) {
      ingest((10 + i) + ",2024-01-05T1" + i + ":00:00Z,1.0");
    }
    Path partition = dataDir.resolve("warehouse/features/txn/data/event_timestamp_day=2024-01-05");
    assertThat(parquetFiles(partition)).isEqualTo(3);
    FeatureStoreConfig config = FeatureStoreConfig.builder()
        .dataDir(dataDir)
        .onlineStore(redis.uri())
        .port(0)
        .pushLog(false)
        .tableCare(new TableCareConfig(Duration.ofMillis(200), RetentionPolicy.defaults()
            .withMaxAge(Duration.ZERO).withRetainLast(1)))
        .build();

    try (FeatureServer server = FeatureServer.start(config)) {
      // three small files become one, and expiry leaves only the snapshot of the rewrite
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        Table table = new HadoopCatalog(new Configuration(), dataDir.resolve("warehouse").toUri().toString())
            .loadTable(TableIdentifier.of("features", "txn"));
        long liveFiles;
        try (CloseableIterable<FileScanTask> tasks = table.newScan()
            .filter(Expressions.equal("event_timestamp", "2024-01-05T10:00:00+00:00")).planFiles()) {
          liveFiles = StreamSupport.stream(tasks.spliterator(), false).count();
        }
        return liveFiles == 1 && StreamSupport.stream(table.snapshots().spliterator(), false).count() == 1;
      });
    }
  }

  private void ingest(String... rows) {
    List<String> lines = new ArrayList<>();
    lines.add("user_id,event_timestamp,amount");
    lines.addAll(List.of(rows));
    Path file = dir.resolve("in-" + (files++) + ".csv");
    try {
      Files.write(file, lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    FstoreRun run = run("ingest", "-v", "txn", file.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  private FeatureRow online(long key) {
    try (OnlineStore store = OnlineStores.open(redis.uri())) {
      return store.read(TXN, List.of(EntityKey.of(key))).toCompletableFuture().join().get(0);
    }
  }

  private static long parquetFiles(Path directory) {
    if (!Files.isDirectory(directory)) {
      return 0;
    }
    try (Stream<Path> list = Files.list(directory)) {
      return list.filter(p -> p.toString().endsWith(".parquet")).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private FstoreRun run(String... args) {
    return FstoreRun.of(List.of("--data-dir", dataDir.toString(), "--online-store", redis.uri()), args);
  }
}
