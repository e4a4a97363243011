package dev.featurestore.offline.predictions;

import static dev.featurestore.offline.predictions.LogFixtures.batch;
import static dev.featurestore.offline.predictions.LogFixtures.micros;
import static dev.featurestore.offline.predictions.LogFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.featurestore.api.ValueType;
import dev.featurestore.offline.OfflineStores;
import dev.featurestore.online.spi.PredictionBatch;
import dev.featurestore.online.spi.PredictionBatch.Column;
import dev.featurestore.online.spi.PredictionBatch.PredictionRow;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prediction log against real Iceberg tables in a temporary warehouse. */
class PredictionLogIT {
  /** Long enough that only size, flush or close commits. */
  private static final PredictionLogOptions MANUAL =
      PredictionLogOptions.defaults().withCommitInterval(Duration.ofHours(1));
  private static final long T0 = micros("2026-11-20T10:00:00Z");

  @TempDir Path warehouse;
  private final List<OfflinePredictionLog> opened = new ArrayList<>();

  private OfflinePredictionLog open(PredictionLogOptions options) {
    OfflinePredictionLog log = OfflineStores.predictionLog(warehouse, options);
    opened.add(log);
    return log;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(OfflinePredictionLog::close);
  }

  @Test
  void close_afterConcurrentOffers_tableHoldsExactlyTheAcceptedRows() throws Exception {
    OfflinePredictionLog log = open(MANUAL.withCommitRows(40));
    int threads = 4;
    int perThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger accepted = new AtomicInteger();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      pool.execute(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int i = 0; i < perThread; i++) {
          String id = "r-" + thread + "-" + i;
          if (log.offer(batch(id, T0 + i, "a", 1000 + i, 2000 + i, 3000 + i))) {
            accepted.incrementAndGet();
          }
        }
      });
    }
    start.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    log.close();

    assertThat(accepted.get()).isEqualTo(threads * perThread);
    List<Record> rows = rows(warehouse, "fraud");
    assertThat(rows).hasSize(threads * perThread * 3);
    Set<String> seen = new HashSet<>();
    for (Record row : rows) {
      assertThat(seen.add(row.getField("request_id") + "#" + row.getField("row_index"))).isTrue();
    }
    PredictionLogStats stats = log.stats();
    assertThat(stats.accepted()).isEqualTo(threads * perThread);
    assertThat(stats.rowsWritten()).isEqualTo(threads * perThread * 3L);
    assertThat(stats.dropped()).isZero();
    assertThat(stats.refused()).isZero();
    assertThat(stats.failed()).isZero();
    assertThat(stats.commits()).isGreaterThan(1);
  }

  @Test
  void close_whileOffersRace_commitsEveryBatchThatWasAccepted() throws Exception {
    OfflinePredictionLog log = open(MANUAL.withCommitRows(500).withQueueCapacity(100));
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger accepted = new AtomicInteger();
    AtomicBoolean closing = new AtomicBoolean();
    CountDownLatch someAccepted = new CountDownLatch(100);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      pool.execute(() -> {
        // offer until the log refuses after close began: whatever it accepted until then must be committed
        for (int i = 0; ; i++) {
          boolean closingBefore = closing.get();
          if (log.offer(batch("r-" + thread + "-" + i, T0 + i, null, i))) {
            accepted.incrementAndGet();
            someAccepted.countDown();
          } else if (closingBefore) {
            return;
          } else {
            // the queue is full: let the writer have the cores instead of spinning
            LockSupport.parkNanos(200_000);
          }
        }
      });
    }
    assertThat(someAccepted.await(60, TimeUnit.SECONDS)).isTrue();
    closing.set(true);
    log.close();
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    assertThat(rows(warehouse, "fraud")).hasSize(accepted.get());
    assertThat(log.stats().accepted()).isEqualTo(accepted.get());
    assertThat(log.stats().rowsWritten()).isEqualTo(accepted.get());
  }

  @Test
  void offer_everyValueType_isStoredTypedAsServed() {
    List<Column> keys = List.of(new Column("user_id", ValueType.INT64), new Column("item", ValueType.STRING));
    List<Column> features = List.of(
        new Column("b", ValueType.BOOL), new Column("i", ValueType.INT32), new Column("f", ValueType.FLOAT),
        new Column("d", ValueType.DOUBLE), new Column("bytes", ValueType.BYTES), new Column("ts", ValueType.TIMESTAMP),
        new Column("ids", ValueType.INT64_LIST), new Column("missing", ValueType.STRING));
    ByteBuffer bytes = ByteBuffer.wrap("xy".getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    PredictionRow row = new PredictionRow("42", List.of(42L, "shoe"),
        Arrays.asList(true, 7, 1.5f, 2.25, bytes, T0 - 5, List.of(1L, 2L), null), List.of("missing"), 0.875,
        Map.of("fraud@2", 0.5));
    OfflinePredictionLog log = open(MANUAL);
    log.offer(new PredictionBatch("req-1", T0, "ranker", 3, "exp", "b", keys, features, List.of(row)));
    log.close();

    Table table = LogFixtures.table(warehouse, "ranker");
    assertThat(table.schema().columns()).extracting(Types.NestedField::name).containsExactly(
        "request_id", "row_index", "prediction_timestamp", "model_version", "experiment", "variant", "unit",
        "user_id", "item", "b", "i", "f", "d", "bytes", "ts", "ids", "missing", "score", "defaulted",
        "shadow_scores");
    assertThat(table.schema().findType("ts")).isEqualTo(Types.TimestampType.withZone());
    assertThat(table.schema().findType("ids").toString()).isEqualTo("list<long>");
    assertThat(table.spec().fields()).singleElement()
        .satisfies(field -> assertThat(field.transform().toString()).isEqualTo("day"));
    Record stored = rows(warehouse, "ranker").get(0);
    assertThat(stored.getField("request_id")).isEqualTo("req-1");
    assertThat(stored.getField("row_index")).isEqualTo(0);
    assertThat(stored.getField("prediction_timestamp"))
        .isEqualTo(OffsetDateTime.of(2026, 11, 20, 10, 0, 0, 0, ZoneOffset.UTC));
    assertThat(stored.getField("model_version")).isEqualTo(3);
    assertThat(stored.getField("experiment")).isEqualTo("exp");
    assertThat(stored.getField("variant")).isEqualTo("b");
    assertThat(stored.getField("unit")).isEqualTo("42");
    assertThat(stored.getField("user_id")).isEqualTo(42L);
    assertThat(stored.getField("item")).isEqualTo("shoe");
    assertThat(stored.getField("b")).isEqualTo(true);
    assertThat(stored.getField("i")).isEqualTo(7);
    assertThat(stored.getField("f")).isEqualTo(1.5f);
    assertThat(stored.getField("d")).isEqualTo(2.25);
    assertThat(stored.getField("bytes")).isEqualTo(ByteBuffer.wrap("xy".getBytes(StandardCharsets.UTF_8)));
    assertThat(stored.getField("ts")).isEqualTo(OffsetDateTime.of(2026, 11, 20, 9, 59, 59, 999_995_000,
        ZoneOffset.UTC));
    assertThat(stored.getField("ids")).isEqualTo(List.of(1L, 2L));
    assertThat(stored.getField("missing")).isNull();
    assertThat(stored.getField("score")).isEqualTo(0.875);
    assertThat(stored.getField("defaulted")).isEqualTo(List.of("missing"));
    assertThat(stored.getField("shadow_scores")).isEqualTo(Map.of("fraud@2", 0.5));
  }

  @Test
  void offer_laterVersionWithMoreInputs_addsTheColumnBeforeScore() {
    OfflinePredictionLog log = open(MANUAL);
    log.offer(batch("v1", T0, null, 1));
    log.flush();
    List<Column> more = new ArrayList<>(LogFixtures.TWO_FEATURES);
    more.add(new Column("merchant_risk", ValueType.FLOAT));
    log.offer(new PredictionBatch("v2", T0 + 1, "fraud", 2, null, null, LogFixtures.USER_KEY, more,
        List.of(new PredictionRow(null, List.of(2L), List.of(2L, 3.0, 0.25f), List.of(), 0.5, Map.of()))));
    log.close();

    Table table = LogFixtures.table(warehouse, "fraud");
    assertThat(table.schema().columns()).extracting(Types.NestedField::name)
        .containsSubsequence("txn_count", "avg_amount", "merchant_risk", "score");
    assertThat(rows(warehouse, "fraud"))
        .extracting(r -> r.getField("model_version"), r -> r.getField("merchant_risk"))
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(1, null),
            org.assertj.core.groups.Tuple.tuple(2, 0.25f));
    assertThat(log.stats().refused()).isZero();
  }

  @Test
  void offer_columnTypeChanged_isRefusedAndCountedWhileTheWriterGoesOn() {
    OfflinePredictionLog log = open(MANUAL);
    log.offer(batch("ok-1", T0, null, 1));
    log.flush();
    List<Column> changed = List.of(new Column("txn_count", ValueType.STRING), new Column("avg_amount",
        ValueType.DOUBLE));
    log.offer(new PredictionBatch("changed", T0 + 1, "fraud", 2, null, null, LogFixtures.USER_KEY, changed,
        List.of(new PredictionRow(null, List.of(2L), List.of("many", 3.0), List.of(), 0.5, Map.of()))));
    // a row whose values do not fit its columns: refused whole as well
    log.offer(new PredictionBatch("short", T0 + 2, "fraud", 1, null, null, LogFixtures.USER_KEY,
        LogFixtures.TWO_FEATURES,
        List.of(new PredictionRow(null, List.of(3L), List.of(3L), List.of(), 0.5, Map.of()))));
    log.offer(batch("ok-2", T0 + 3, null, 4));
    log.close();

    assertThat(rows(warehouse, "fraud")).extracting(r -> r.getField("request_id"))
        .containsExactlyInAnyOrder("ok-1", "ok-2");
    assertThat(LogFixtures.table(warehouse, "fraud").schema().findType("txn_count"))
        .isEqualTo(Types.LongType.get());
    PredictionLogStats stats = log.stats();
    assertThat(stats.accepted()).isEqualTo(4);
    assertThat(stats.refused()).isEqualTo(2);
    assertThat(stats.rowsWritten()).isEqualTo(2);
  }

  @Test
  void offer_queueFull_dropsWithoutBlockingAndCountsTheDrops() {
    IcebergPredictionLog log = (IcebergPredictionLog) open(MANUAL.withQueueCapacity(3));
    int accepted = 0;
    log.writerLock.lock();
    try {
      for (int i = 0; i < 10; i++) {
        if (log.offer(batch("r" + i, T0 + i, null, i))) {
          accepted++;
        }
      }
    } finally {
      log.writerLock.unlock();
    }
    log.close();

    // the stalled writer may hold one batch besides the three queued
    assertThat(accepted).isBetween(3, 4);
    assertThat(log.stats().dropped()).isEqualTo(10 - accepted);
    assertThat(log.stats().accepted()).isEqualTo(accepted);
    assertThat(rows(warehouse, "fraud")).hasSize(accepted);
  }

  @Test
  void flush_commitsEverythingAcceptedBefore() {
    OfflinePredictionLog log = open(MANUAL);
    log.offer(batch("r1", T0, null, 1, 2));
    log.offer(batch("r2", T0, null, 3));

    log.flush();

    assertThat(rows(warehouse, "fraud")).hasSize(3);
    assertThat(log.stats().commits()).isEqualTo(1);
  }

  @Test
  void commitInterval_elapsed_commitsWithoutFlush() {
    OfflinePredictionLog log = open(PredictionLogOptions.defaults().withCommitInterval(Duration.ofMillis(200)));
    log.offer(batch("r1", T0, null, 1));

    await().atMost(Duration.ofSeconds(30)).until(() -> log.stats().rowsWritten() == 1);
    assertThat(rows(warehouse, "fraud")).hasSize(1);
  }

  @Test
  void commitRows_reached_commitsWithoutFlush() {
    OfflinePredictionLog log = open(MANUAL.withCommitRows(4));
    log.offer(batch("r1", T0, null, 1, 2));
    log.offer(batch("r2", T0, null, 3, 4));

    await().atMost(Duration.ofSeconds(30)).until(() -> log.stats().rowsWritten() == 4);
    assertThat(log.stats().commits()).isEqualTo(1);
  }

  @Test
  void offer_twoModels_writesOneTableEach() {
    OfflinePredictionLog log = open(MANUAL);
    log.offer(batch("r1", T0, null, 1));
    log.offer(new PredictionBatch("r2", T0, "ranker", 1, null, null, LogFixtures.USER_KEY, List.of(),
        List.of(new PredictionRow(null, List.of(1L), List.of(), List.of(), 0.1, Map.of()))));
    log.close();

    assertThat(rows(warehouse, "fraud")).hasSize(1);
    assertThat(rows(warehouse, "ranker")).hasSize(1);
  }

  @Test
  void offer_badModelName_isRefusedAndCounted() {
    OfflinePredictionLog log = open(MANUAL);
    log.offer(new PredictionBatch("r1", T0, "../escape", 1, null, null, LogFixtures.USER_KEY, List.of(),
        List.of(new PredictionRow(null, List.of(1L), List.of(), List.of(), 0.1, Map.of()))));
    log.close();

    assertThat(log.stats().refused()).isEqualTo(1);
    assertThat(log.stats().rowsWritten()).isZero();
  }

  @Test
  void offer_columnNamesThatAreNoIdentifiers_areLoggedUnlessTheyHaveADot() {
    OfflinePredictionLog log = open(MANUAL);
    log.offer(new PredictionBatch("r1", T0, "ranker", 1, null, null, LogFixtures.USER_KEY,
        List.of(new Column("user_stats:txn_count", ValueType.INT64)),
        List.of(new PredictionRow(null, List.of(1L), List.of(5L), List.of(), 0.1, Map.of()))));
    log.offer(new PredictionBatch("r2", T0, "ranker", 1, null, null, LogFixtures.USER_KEY,
        List.of(new Column("user_stats.txn_count", ValueType.INT64)),
        List.of(new PredictionRow(null, List.of(1L), List.of(5L), List.of(), 0.1, Map.of()))));
    log.close();

    assertThat(rows(warehouse, "ranker")).singleElement()
        .satisfies(row -> assertThat(row.getField("user_stats:txn_count")).isEqualTo(5L));
    assertThat(log.stats().refused()).isEqualTo(1);
  }

  @Test
  void offer_afterClose_isDroppedAndCounted() {
    OfflinePredictionLog log = open(MANUAL);
    log.close();

    assertThat(log.offer(batch("late", T0, null, 1))).isFalse();
    assertThat(log.stats().dropped()).isEqualTo(1);
    assertThat(LogFixtures.exists(warehouse, "fraud")).isFalse();
  }
}
