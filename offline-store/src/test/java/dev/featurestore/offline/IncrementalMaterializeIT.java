package dev.featurestore.offline;

import static dev.featurestore.api.ValueType.DOUBLE;
import static dev.featurestore.api.ValueType.STRING;
import static dev.featurestore.offline.TestFiles.csv;
import static dev.featurestore.offline.TestFiles.micros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.offline.IncrementalMaterializeResult.Kind;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.registry.Registries;
import dev.featurestore.registry.Registry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental materialization from real Iceberg tables into a real redis-server, with the watermark in a real
 * SQLite registry.
 */
class IncrementalMaterializeIT {
  private static final FeatureView TXN = FeatureView.builder("txn")
      .entity("user")
      .feature("amount", DOUBLE)
      .feature("tag", STRING)
      .build();
  private static final Definitions DEFS = TestFiles.definitions(TXN);
  private static final String HEADER = "user_id,event_timestamp,created_timestamp,amount,tag";

  private RedisServerProcess redis;

  @TempDir Path dir;
  private OfflineStore offline;
  private Registry registry;
  private final List<AutoCloseable> opened = new ArrayList<>();
  private int files;

  @BeforeEach
  void open() {
    redis = RedisServerProcess.start();
    offline = OfflineStores.local(dir.resolve("warehouse"));
    registry = Registries.embedded(dir.resolve("registry"));
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable resource : opened) {
      resource.close();
    }
    registry.close();
    offline.close();
    redis.close();
  }

  @Test
  void materializeIncremental_firstRun_writesNewestRowPerKeyAndStoresWatermark() {
    long snapshot = ingest("1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0,a",
        "1,2024-01-01T12:00:00Z,2024-01-01T12:00:00Z,2.0,b",
        "1,2024-01-01T12:00:00Z,2024-01-01T11:00:00Z,9.0,stale-created",
        "2,2024-01-02T09:00:00Z,2024-01-02T09:00:00Z,3.0,");
    OnlineStore online = redisDb(0);

    IncrementalMaterializeResult result = run(online);

    assertThat(result.kind()).isEqualTo(Kind.FULL);
    assertThat(result.toSnapshotId()).isEqualTo(snapshot);
    assertThat(result.keysWritten()).isEqualTo(2);
    assertThat(result.rowsScanned()).isEqualTo(4);
    assertThat(result.watermarkAdvanced()).isTrue();
    assertThat(registry.watermark("txn")).hasValueSatisfying(w -> assertThat(w.snapshotId()).isEqualTo(snapshot));
    assertThat(read(online, 1L)).isEqualTo(new FeatureRow(EntityKey.of(1L), micros("2024-01-01T12:00:00Z"),
        micros("2024-01-01T12:00:00Z"), Map.of("amount", 2.0, "tag", "b")));
    assertThat(read(online, 2L).values()).isEqualTo(Map.of("amount", 3.0));
  }

  @Test
  void materializeIncremental_afterNewIngests_readsOnlyTheNewRows() {
    ingest("1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0,a", "2,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,2.0,b");
    OnlineStore online = redisDb(0);
    long first = run(online).toSnapshotId();
    ingest("3,2024-01-02T10:00:00Z,2024-01-02T10:00:00Z,3.0,c");
    long last = ingest("1,2024-01-03T10:00:00Z,2024-01-03T10:00:00Z,4.0,d",
        "1,2024-01-02T10:00:00Z,2024-01-02T10:00:00Z,5.0,older");

    IncrementalMaterializeResult result = run(online);

    assertThat(result.kind()).isEqualTo(Kind.INCREMENTAL);
    assertThat(result.fromSnapshotId()).isEqualTo(first);
    assertThat(result.toSnapshotId()).isEqualTo(last);
    assertThat(result.rowsScanned()).isEqualTo(3);
    assertThat(result.keysWritten()).isEqualTo(2);
    assertThat(read(online, 1L).values()).isEqualTo(Map.of("amount", 4.0, "tag", "d"));
    assertThat(read(online, 2L).values()).isEqualTo(Map.of("amount", 2.0, "tag", "b"));
    assertThat(read(online, 3L).values()).isEqualTo(Map.of("amount", 3.0, "tag", "c"));
  }

  @Test
  void materializeIncremental_lateRowOlderThanOnline_leavesNewerValue() {
    ingest("1,2024-01-03T10:00:00Z,2024-01-03T10:00:00Z,1.0,new");
    OnlineStore online = redisDb(0);
    run(online);
    ingest("1,2024-01-01T10:00:00Z,2024-01-04T10:00:00Z,2.0,late-backfill");

    IncrementalMaterializeResult result = run(online);

    assertThat(result.keysWritten()).isEqualTo(1);
    assertThat(read(online, 1L).values()).isEqualTo(Map.of("amount", 1.0, "tag", "new"));
  }

  @Test
  void materializeIncremental_nothingCommittedSince_isUpToDateAndWritesNothing() {
    ingest("1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0,a");
    OnlineStore online = redisDb(0);
    long snapshot = run(online).toSnapshotId();

    IncrementalMaterializeResult result = run(online);

    assertThat(result.kind()).isEqualTo(Kind.UP_TO_DATE);
    assertThat(result.keysWritten()).isZero();
    assertThat(result.toSnapshotId()).isEqualTo(snapshot);
  }

  @Test
  void materializeIncremental_noTable_reportsNoDataWithoutWatermark() {
    IncrementalMaterializeResult result = run(redisDb(0));

    assertThat(result.kind()).isEqualTo(Kind.NO_DATA);
    assertThat(registry.watermark("txn")).isEmpty();
  }

  @Test
  void materializeIncremental_unknownView_failsNamingIt() {
    assertThatThrownBy(() -> offline.materializeIncremental(DEFS, "nope", redisDb(0), registry, ProgressListener.NONE))
        .hasMessageContaining("'nope'");
  }

  @Test
  void materializeIncremental_afterCompaction_skipsTheRewriteAndReadsOnlyAppends() {
    ingest("1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0,a");
    OnlineStore online = redisDb(0);
    run(online);
    ingest("2,2024-01-01T11:00:00Z,2024-01-01T11:00:00Z,2.0,b");
    ingest("3,2024-01-01T12:00:00Z,2024-01-01T12:00:00Z,3.0,c");
    CompactionResult compaction = offline.compact("txn", CompactionOptions.defaults());
    assertThat(compaction.filesRewritten()).isEqualTo(3);
    ingest("4,2024-01-01T13:00:00Z,2024-01-01T13:00:00Z,4.0,d");

    IncrementalMaterializeResult result = run(online);

    assertThat(result.kind()).isEqualTo(Kind.INCREMENTAL);
    assertThat(result.rowsScanned()).isEqualTo(3);
    assertThat(LongStream.rangeClosed(1, 4).mapToObj(k -> read(online, k).value("tag")))
        .containsExactly("a", "b", "c", "d");
  }

  @Test
  void materializeIncremental_watermarkSnapshotExpired_readsEverythingAgain() {
    ingest("1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0,a");
    OnlineStore online = redisDb(0);
    run(online);
    ingest("2,2024-01-01T11:00:00Z,2024-01-01T11:00:00Z,2.0,b");
    ingest("3,2024-01-01T12:00:00Z,2024-01-01T12:00:00Z,3.0,c");
    offline.expireSnapshots("txn", RetentionPolicy.defaults().withMaxAge(Duration.ZERO).withRetainLast(1));

    IncrementalMaterializeResult result = run(online);

    assertThat(result.kind()).isEqualTo(Kind.FULL);
    assertThat(result.rowsScanned()).isEqualTo(3);
    assertThat(read(online, 3L).value("tag")).isEqualTo("c");
  }

  @Test
  void materializeIncremental_watermark_survivesRegistryReopen() {
    ingest("1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0,a");
    OnlineStore online = redisDb(0);
    long snapshot = run(online).toSnapshotId();
    registry.close();
    registry = Registries.embedded(dir.resolve("registry"));

    IncrementalMaterializeResult result = run(online);

    assertThat(result.kind()).isEqualTo(Kind.UP_TO_DATE);
    assertThat(result.fromSnapshotId()).isEqualTo(snapshot);
  }

  @Test
  void materializeIncremental_crashBetweenBatchesThenRerun_endsInSameOnlineStateAsCleanRun() {
    List<String> history = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      long key = i % 17;
      // event times go back and forth per key, with full ties, so that the newest row is not simply the last one
      String event = "2024-01-0" + (1 + (i * 7) % 5) + "T10:00:00Z";
      history.add(key + "," + event + "," + event + "," + i + ".0,row-" + i);
    }
    ingest(history.subList(0, 30).toArray(String[]::new));
    OnlineStore clean = redisDb(1);
    OnlineStore crashed = redisDb(2);
    Registry crashedRegistry = Registries.embedded(dir.resolve("registry-crashed"));
    opened.add(crashedRegistry);
    run(clean);
    offline.materializeIncremental(DEFS, "txn", crashed, crashedRegistry, ProgressListener.NONE);
    ingest(history.subList(30, 60).toArray(String[]::new));
    ingest("99,2024-01-09T10:00:00Z,2024-01-09T10:00:00Z,99.0,late-key");
    run(clean);

    Materializer failing = new Materializer(tables(), 3, batches -> {
      if (batches == 2) {
        throw new IllegalStateException("injected crash after batch 2");
      }
    });
    long before = crashedRegistry.watermark("txn").orElseThrow().snapshotId();
    assertThatThrownBy(() -> failing.runIncremental(DEFS, "txn", crashed, crashedRegistry, ProgressListener.NONE))
        .hasMessageContaining("injected crash after batch 2");
    assertThat(crashedRegistry.watermark("txn").orElseThrow().snapshotId()).isEqualTo(before);
    IncrementalMaterializeResult rerun =
        new Materializer(tables(), 3, batches -> {}).runIncremental(DEFS, "txn", crashed, crashedRegistry,
            ProgressListener.NONE);

    assertThat(rerun.kind()).isEqualTo(Kind.INCREMENTAL);
    assertThat(rerun.watermarkAdvanced()).isTrue();
    List<EntityKey> keys = new ArrayList<>(LongStream.range(0, 17).mapToObj(EntityKey::of).toList());
    keys.add(EntityKey.of(99L));
    assertThat(clean.read(TXN, keys).toCompletableFuture().join()).doesNotContainNull()
        .isEqualTo(crashed.read(TXN, keys).toCompletableFuture().join());
  }

  private IncrementalMaterializeResult run(OnlineStore online) {
    return offline.materializeIncremental(DEFS, "txn", online, registry, ProgressListener.NONE);
  }

  private long ingest(String... rows) {
    String[] lines = new String[rows.length + 1];
    lines[0] = HEADER;
    System.arraycopy(rows, 0, lines, 1, rows.length);
    return offline.ingest(DEFS, "txn", csv(dir, "in-" + (files++) + ".csv", lines), ProgressListener.NONE)
        .snapshotId();
  }

  private OnlineStore redisDb(int db) {
    OnlineStore store = OnlineStores.open(redis.uri() + "/" + db);
    opened.add(store);
    store.read(TXN, List.of()).toCompletableFuture().join();
    return store;
  }

  private ViewTables tables() {
    return new ViewTables(new HadoopCatalog(new Configuration(), dir.resolve("warehouse").toUri().toString()));
  }

  private static FeatureRow read(OnlineStore online, long key) {
    return online.read(TXN, List.of(EntityKey.of(key))).toCompletableFuture().join().get(0);
  }
}
