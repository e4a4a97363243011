package dev.featurestore.offline;

import static dev.featurestore.api.ValueType.BOOL;
import static dev.featurestore.api.ValueType.BYTES;
import static dev.featurestore.api.ValueType.DOUBLE;
import static dev.featurestore.api.ValueType.INT32;
import static dev.featurestore.api.ValueType.STRING;
import static dev.featurestore.api.ValueType.STRING_LIST;
import static dev.featurestore.api.ValueType.TIMESTAMP;
import static dev.featurestore.offline.TestFiles.csv;
import static dev.featurestore.offline.TestFiles.micros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.InvalidRequestException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingestion into real Iceberg tables: good files read back equal, bad files refused with nothing committed. */
class IngestIT {
  private static final FeatureView TXN = FeatureView.builder("txn")
      .entity("user")
      .feature("amount", DOUBLE)
      .feature("count", INT32)
      .feature("flag", BOOL)
      .feature("tags", STRING_LIST)
      .feature("seen", TIMESTAMP)
      .feature("blob", BYTES)
      .build();
  private static final Definitions DEFS = TestFiles.definitions(TXN);

  @TempDir Path dir;
  private OfflineStore store;

  @BeforeEach
  void open() {
    store = OfflineStores.local(dir.resolve("warehouse"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void ingest_goodCsv_readsBackEqual() {
    Path file = csv(dir, "txn.csv",
        "user_id,event_timestamp,created_timestamp,amount,count,flag,tags,seen,blob",
        "1,2024-01-01T10:00:00Z,2024-01-01T10:00:01.5Z,1.25,3,true,\"[a, \"\"b,c\"\"]\",2024-01-01T09:00:00+01:00,"
            + "aGk=",
        "2," + micros("2024-01-02T00:00:00Z") + ",,,,,[],,");
    long[] progress = new long[2];

    IngestResult result = store.ingest(DEFS, "txn", file, (done, total) -> {
      progress[0] = done;
      progress[1] = total;
    });

    assertThat(result.rows()).isEqualTo(2);
    assertThat(progress).containsExactly(2, 2);
    Table table = table("txn");
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(result.snapshotId());
    assertThat(table.spec().fields()).singleElement()
        .satisfies(field -> assertThat(field.transform().toString()).isEqualTo("day"));
    List<Map<String, Object>> rows = readTable(table);
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0))
        .containsEntry("user_id", 1L)
        .containsEntry("event_timestamp", ts("2024-01-01T10:00:00Z"))
        .containsEntry("created_timestamp", ts("2024-01-01T10:00:01.500Z"))
        .containsEntry("amount", 1.25)
        .containsEntry("count", 3)
        .containsEntry("flag", true)
        .containsEntry("tags", List.of("a", "b,c"))
        .containsEntry("seen", ts("2024-01-01T08:00:00Z"))
        .containsEntry("blob", ByteBuffer.wrap("hi".getBytes(StandardCharsets.UTF_8)));
    assertThat(rows.get(1))
        .containsEntry("user_id", 2L)
        .containsEntry("event_timestamp", ts("2024-01-02T00:00:00Z"))
        .containsEntry("amount", null)
        .containsEntry("tags", List.of())
        .containsEntry("seen", null);
    // created_timestamp defaults to the time of ingestion
    assertThat(DateTimeUtil.microsFromTimestamptz((java.time.OffsetDateTime) rows.get(1).get("created_timestamp")))
        .isGreaterThan(micros("2025-01-01T00:00:00Z"));
  }

  @Test
  void ingest_goodParquetWithoutFieldIds_readsBackEqual() throws IOException {
    MessageType type = MessageTypeParser.parseMessageType("""
        message txn {
          required int64 user_id;
          required int64 event_timestamp (TIMESTAMP(MICROS,true));
          optional double amount;
          optional int32 count;
          optional group tags (LIST) { repeated group list { required binary element (STRING); } }
        }""");
    Path file = dir.resolve("txn.parquet");
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(type).build()) {
      Group first = groups.newGroup()
          .append("user_id", 1L).append("event_timestamp", micros("2024-01-01T10:00:00Z"))
          .append("amount", 2.5).append("count", 7);
      Group tags = first.addGroup("tags");
      tags.addGroup("list").append("element", "x");
      tags.addGroup("list").append("element", "y");
      writer.write(first);
      writer.write(groups.newGroup().append("user_id", 2L).append("event_timestamp", micros("2024-01-03T00:00:00Z")));
    }

    IngestResult result = store.ingest(DEFS, "txn", file, ProgressListener.NONE);

    assertThat(result.rows()).isEqualTo(2);
    List<Map<String, Object>> rows = readTable(table("txn"));
    assertThat(rows.get(0))
        .containsEntry("user_id", 1L)
        .containsEntry("event_timestamp", ts("2024-01-01T10:00:00Z"))
        .containsEntry("amount", 2.5)
        .containsEntry("count", 7)
        .containsEntry("tags", List.of("x", "y"));
    assertThat(rows.get(1)).containsEntry("user_id", 2L).containsEntry("amount", null).containsEntry("tags", null);
  }

  @Test
  void ingest_parquetTimestampsInNanosOrMillis_storeTheSameInstants() throws IOException {
    for (String unit : List.of("NANOS", "MILLIS")) {
      MessageType type = MessageTypeParser.parseMessageType("message txn { required int64 user_id;"
          + " required int64 event_timestamp (TIMESTAMP(" + unit + ",true));"
          + " optional int64 seen (TIMESTAMP(" + unit + ",true)); }");
      Path file = dir.resolve("txn-" + unit + ".parquet");
      long at = micros("2024-01-01T10:00:00.123Z");
      long stored = unit.equals("NANOS") ? at * 1000 : at / 1000;
      try (ParquetWriter<Group> writer =
          ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(type).build()) {
        writer.write(new SimpleGroupFactory(type).newGroup()
            .append("user_id", unit.length() + 0L).append("event_timestamp", stored).append("seen", stored));
      }

      store.ingest(DEFS, "txn", file, ProgressListener.NONE);
    }

    List<Map<String, Object>> rows = readTable(table("txn"));
    assertThat(rows).hasSize(2).allSatisfy(row -> assertThat(row)
        .containsEntry("event_timestamp", ts("2024-01-01T10:00:00.123Z"))
        .containsEntry("seen", ts("2024-01-01T10:00:00.123Z")));
  }

  @Test
  void ingest_parquetColumnOfWrongType_isRefusedNamingTheColumn() throws IOException {
    MessageType type = MessageTypeParser.parseMessageType(
        "message txn { required int64 user_id; required int64 event_timestamp; optional binary amount (STRING); }");
    Path file = dir.resolve("bad.parquet");
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(type).build()) {
      writer.write(new SimpleGroupFactory(type).newGroup()
          .append("user_id", 1L).append("event_timestamp", 1L).append("amount", "abc"));
    }

    assertThatThrownBy(() -> store.ingest(DEFS, "txn", file, ProgressListener.NONE))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot ingest 'bad.parquet' into view 'txn': column 'amount': expected DOUBLE but the file has"
            + " type string");
    assertThat(catalogHas("txn")).isFalse();
  }

  @Test
  void ingest_badValueAtRow17_isRefusedAndTableUnchanged() {
    long before = store.ingest(DEFS, "txn", csv(dir, "good.csv", "user_id,event_timestamp,amount",
        "1,2024-01-01T10:00:00Z,1.0"), ProgressListener.NONE).snapshotId();
    List<String> lines = new ArrayList<>();
    lines.add("user_id,event_timestamp,amount");
    for (int row = 1; row <= 20; row++) {
      lines.add(row + ",2024-01-01T10:00:00Z," + (row == 17 ? "abc" : "1.5"));
    }
    Path bad = csv(dir, "file.csv", lines.toArray(String[]::new));

    assertThatThrownBy(() -> store.ingest(DEFS, "txn", bad, ProgressListener.NONE))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot ingest 'file.csv' into view 'txn': row 17, column 'amount': expected DOUBLE but got 'abc'");
    Table table = table("txn");
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(before);
    assertThat(table.snapshots()).hasSize(1);
    assertThat(readTable(table)).hasSize(1);
  }

  @Test
  void ingest_missingKeyColumn_isRefusedAndNoTableCreated() {
    Path bad = csv(dir, "bad.csv", "event_timestamp,amount", "2024-01-01T10:00:00Z,1.0");

    assertThatThrownBy(() -> store.ingest(DEFS, "txn", bad, ProgressListener.NONE))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot ingest 'bad.csv' into view 'txn': join key column 'user_id' (INT64) is missing");
    assertThat(catalogHas("txn")).isFalse();
  }

  @Test
  void ingest_missingEventTimestamp_isRefused() {
    Path bad = csv(dir, "bad.csv", "user_id,amount", "1,1.0");

    assertThatThrownBy(() -> store.ingest(DEFS, "txn", bad, ProgressListener.NONE))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot ingest 'bad.csv' into view 'txn': column 'event_timestamp' is missing");
  }

  @Test
  void ingest_unknownColumn_isRefusedNamingIt() {
    Path bad = csv(dir, "bad.csv", "user_id,event_timestamp,colour", "1,2024-01-01T10:00:00Z,red");

    assertThatThrownBy(() -> store.ingest(DEFS, "txn", bad, ProgressListener.NONE))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot ingest 'bad.csv' into view 'txn': column 'colour' is not a join key, timestamp or"
            + " feature of the view");
    assertThat(catalogHas("txn")).isFalse();
  }

  @Test
  void ingest_nullKey_isRefusedNamingRowAndColumnAndTableUnchanged() {
    long before = store.ingest(DEFS, "txn", csv(dir, "good.csv", "user_id,event_timestamp",
        "1,2024-01-01T10:00:00Z"), ProgressListener.NONE).snapshotId();
    Path bad = csv(dir, "bad.csv", "user_id,event_timestamp", "1,2024-01-01T10:00:00Z", ",2024-01-01T10:00:00Z");

    assertThatThrownBy(() -> store.ingest(DEFS, "txn", bad, ProgressListener.NONE))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot ingest 'bad.csv' into view 'txn': row 2, column 'user_id': join key is null");
    assertThat(table("txn").currentSnapshot().snapshotId()).isEqualTo(before);
  }

  @Test
  void ingest_badTimestamp_isRefusedNamingRowAndColumn() {
    Path bad = csv(dir, "bad.csv", "user_id,event_timestamp", "1,yesterday");

    assertThatThrownBy(() -> store.ingest(DEFS, "txn", bad, ProgressListener.NONE))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot ingest 'bad.csv' into view 'txn': row 1, column 'event_timestamp': expected TIMESTAMP"
            + " but got 'yesterday'");
  }

  @Test
  void ingest_viewGainedAFeature_addsTheColumnAndOldRowsReadNull() {
    FeatureView small = FeatureView.builder("txn").entity("user").feature("amount", DOUBLE).build();
    store.ingest(TestFiles.definitions(small), "txn",
        csv(dir, "v1.csv", "user_id,event_timestamp,amount", "1,2024-01-01T10:00:00Z,1.0"), ProgressListener.NONE);
    FeatureView grown = small.toBuilder().feature("label", STRING).build();

    store.ingest(TestFiles.definitions(grown), "txn",
        csv(dir, "v2.csv", "user_id,event_timestamp,amount,label", "2,2024-01-01T11:00:00Z,2.0,b"),
        ProgressListener.NONE);

    Table table = table("txn");
    assertThat(table.schema().findField("label").type()).isEqualTo(Types.StringType.get());
    List<Map<String, Object>> rows = readTable(table);
    assertThat(rows).extracting(row -> row.get("label")).containsExactly(null, "b");
  }

  private Table table(String view) {
    try (HadoopCatalog catalog = catalog()) {
      return catalog.loadTable(TableIdentifier.of("features", view));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private boolean catalogHas(String view) {
    try (HadoopCatalog catalog = catalog()) {
      return catalog.tableExists(TableIdentifier.of("features", view));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private HadoopCatalog catalog() {
    return new HadoopCatalog(new Configuration(), dir.resolve("warehouse").toUri().toString());
  }

  /** Every row of the table, sorted by user id. */
  private static List<Map<String, Object>> readTable(Table table) {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record record : records) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (Types.NestedField field : table.schema().columns()) {
          row.put(field.name(), record.getField(field.name()));
        }
        rows.add(row);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    rows.sort(Comparator.comparing(row -> (Long) row.get("user_id")));
    return rows;
  }

  private static java.time.OffsetDateTime ts(String iso) {
    return DateTimeUtil.timestamptzFromMicros(micros(iso));
  }
}
