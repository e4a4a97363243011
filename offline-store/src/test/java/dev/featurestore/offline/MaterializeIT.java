package dev.featurestore.offline;

import static dev.featurestore.api.ValueType.DOUBLE;
import static dev.featurestore.api.ValueType.STRING;
import static dev.featurestore.offline.TestFiles.csv;
import static dev.featurestore.offline.TestFiles.micros;
import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Materialization from a real Iceberg table into the in-test online store. */
class MaterializeIT {
  private static final FeatureView TXN = FeatureView.builder("txn")
      .entity("user")
      .feature("amount", DOUBLE)
      .feature("tag", STRING)
      .build();
  private static final Definitions DEFS = TestFiles.definitions(TXN);

  @TempDir Path dir;
  private OfflineStore store;
  private final InMemoryOnlineStore online = new InMemoryOnlineStore();

  @BeforeEach
  void open() {
    store = OfflineStores.local(dir.resolve("warehouse"));
    store.ingest(DEFS, "txn", csv(dir, "a.csv", "user_id,event_timestamp,created_timestamp,amount,tag",
        "1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0,a",
        "1,2024-01-01T12:00:00Z,2024-01-01T12:00:00Z,2.0,b",
        "1,2024-01-01T12:00:00Z,2024-01-01T11:00:00Z,9.0,stale-created",
        "2,2024-01-01T09:00:00Z,2024-01-01T09:00:00Z,3.0,",
        "3,2024-01-02T09:00:00Z,2024-01-02T09:00:00Z,4.0,outside",
        "4,2024-01-01T23:59:59Z,2024-01-01T23:59:59Z,5.0,x"), ProgressListener.NONE);
    store.ingest(DEFS, "txn", csv(dir, "b.csv", "user_id,event_timestamp,created_timestamp,amount,tag",
        "4,2024-01-01T23:59:59Z,2024-01-01T23:59:59Z,6.0,later-write"), ProgressListener.NONE);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void materialize_range_writesNewestRowPerKeyOfTheRange() {
    MaterializeResult result = store.materialize(DEFS, "txn",
        micros("2024-01-01T00:00:00Z"), micros("2024-01-02T00:00:00Z"), online, ProgressListener.NONE);

    assertThat(result.keysWritten()).isEqualTo(3);
    assertThat(result.rowsScanned()).isEqualTo(6);
    Map<EntityKey, FeatureRow> rows = online.rowsOf("txn");
    assertThat(rows).containsOnlyKeys(EntityKey.of(1L), EntityKey.of(2L), EntityKey.of(4L));
    assertThat(rows.get(EntityKey.of(1L))).isEqualTo(new FeatureRow(EntityKey.of(1L),
        micros("2024-01-01T12:00:00Z"), micros("2024-01-01T12:00:00Z"), Map.of("amount", 2.0, "tag", "b")));
    assertThat(rows.get(EntityKey.of(2L)).values()).isEqualTo(Map.of("amount", 3.0));
    assertThat(rows.get(EntityKey.of(4L)).values()).isEqualTo(Map.of("amount", 6.0, "tag", "later-write"));
  }

  @Test
  void materialize_rerun_isIdempotent() {
    long start = micros("2024-01-01T00:00:00Z");
    long end = micros("2024-01-03T00:00:00Z");
    store.materialize(DEFS, "txn", start, end, online, ProgressListener.NONE);
    Map<EntityKey, FeatureRow> first = online.rowsOf("txn");

    MaterializeResult again = store.materialize(DEFS, "txn", start, end, online, ProgressListener.NONE);

    assertThat(again.keysWritten()).isEqualTo(4);
    assertThat(online.rowsOf("txn")).isEqualTo(first);
  }

  @Test
  void materialize_endExclusive_leavesRowAtEndOut() {
    store.materialize(DEFS, "txn", micros("2024-01-01T00:00:00Z"), micros("2024-01-01T12:00:00Z"), online,
        ProgressListener.NONE);

    assertThat(online.rowsOf("txn").get(EntityKey.of(1L)).values()).isEqualTo(Map.of("amount", 1.0, "tag", "a"));
  }

  @Test
  void materialize_progress_reportsKeysInBatches() {
    long[] last = new long[2];
    store.materialize(DEFS, "txn", micros("2024-01-01T00:00:00Z"), micros("2024-01-03T00:00:00Z"), online,
        (done, total) -> {
          last[0] = done;
          last[1] = total;
        });

    assertThat(last).containsExactly(4, 4);
    assertThat(online.writeCalls.get()).isEqualTo(1);
  }
}
