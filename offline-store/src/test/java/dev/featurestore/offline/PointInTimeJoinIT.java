package dev.featurestore.offline;

import static dev.featurestore.api.ValueType.DOUBLE;
import static dev.featurestore.api.ValueType.STRING;
import static dev.featurestore.offline.TestFiles.csv;
import static dev.featurestore.offline.TestFiles.micros;
import static dev.featurestore.offline.TestFiles.readParquet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.InvalidRequestException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

/** Hand-written point-in-time joins over real Iceberg tables, with the expected rows spelled out. */
class PointInTimeJoinIT {
  private static final FeatureView TXN = FeatureView.builder("txn")
      .entity("user")
      .feature("amount", DOUBLE)
      .feature("tag", STRING)
      .build();
  private static final FeatureView TXN_1H = TXN.toBuilder().ttl(Duration.ofHours(1)).build();
  private static final FeatureView USER_MERCHANT = FeatureView.builder("user_merchant")
      .entity("user")
      .entity("merchant")
      .feature("spend", DOUBLE)
      .build();
  private static final FeatureView MERCHANT_STATS = FeatureView.builder("merchant_stats")
      .entity("merchant")
      .feature("amount", DOUBLE)
      .build();

  @TempDir Path dir;
  private OfflineStore store;

  @BeforeEach
  void open() {
    store = OfflineStores.local(dir.resolve("warehouse"), options());
  }

  /** The join's options; {@link PointInTimeJoinSpilledIT} runs every case again with a budget that spills. */
  TrainingSetOptions options() {
    return TrainingSetOptions.defaults();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void trainingSet_rowExactlyTtlOld_isIncludedAndOneMicroMoreIsNot() {
    Definitions defs = TestFiles.definitions(TXN_1H);
    ingest(defs, "txn", "user_id,event_timestamp,created_timestamp,amount",
        "1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.5");

    List<Map<String, Object>> out = join(defs, List.of(FeatureRef.of("txn", "amount")),
        "user_id,event_timestamp",
        "1,2024-01-01T11:00:00Z",
        "1,2024-01-01T11:00:00.000001Z",
        "1,2024-01-01T10:00:00Z",
        "1,2024-01-01T09:59:59.999999Z");

    assertThat(column(out, "amount")).containsExactly(1.5, null, 1.5, null);
  }

  @Test
  void trainingSet_everyValueType_givesTheMatchedRowsValuesAndNulls() {
    FeatureView typed = FeatureView.builder("typed")
        .entity("user")
        .feature("flag", ValueType.BOOL)
        .feature("count", ValueType.INT32)
        .feature("total", ValueType.INT64)
        .feature("ratio", ValueType.FLOAT)
        .feature("amount", DOUBLE)
        .feature("tag", STRING)
        .feature("blob", ValueType.BYTES)
        .feature("seen", ValueType.TIMESTAMP)
        .feature("tags", ValueType.STRING_LIST)
        .feature("scores", ValueType.INT64_LIST)
        .build();
    Definitions defs = TestFiles.definitions(typed);
    ingest(defs, "typed", "user_id,event_timestamp,flag,count,total,ratio,amount,tag,blob,seen,tags,scores",
        "1,2024-01-01T10:00:00Z,true,3,9000000000,0.5,1.25,a,aGk=,2024-01-01T09:00:00Z,\"[x, y]\",[1]",
        "1,2024-01-02T10:00:00Z,false,-4,-1,2.5,-0.5,b,,2024-01-02T09:00:00Z,[],\"[2, 3]\"",
        "2,2024-01-01T10:00:00Z,,,,,,,,,,");

    List<Map<String, Object>> out = join(defs, List.of(FeatureRef.allOf("typed")),
        "user_id,event_timestamp",
        "1,2024-01-01T12:00:00Z",
        "2,2024-01-01T12:00:00Z",
        "1,2024-01-03T00:00:00Z",
        "3,2024-01-03T00:00:00Z",
        "1,2024-01-01T12:00:00Z");

    assertThat(column(out, "flag")).containsExactly(true, null, false, null, true);
    assertThat(column(out, "count")).containsExactly(3, null, -4, null, 3);
    assertThat(column(out, "total")).containsExactly(9_000_000_000L, null, -1L, null, 9_000_000_000L);
    assertThat(column(out, "ratio")).containsExactly(0.5f, null, 2.5f, null, 0.5f);
    assertThat(column(out, "amount")).containsExactly(1.25, null, -0.5, null, 1.25);
    assertThat(column(out, "tag")).containsExactly("a", null, "b", null, "a");
    ByteBuffer hi = ByteBuffer.wrap("hi".getBytes(StandardCharsets.UTF_8));
    assertThat(column(out, "blob")).containsExactly(hi, null, null, null, hi);
    OffsetDateTime first = DateTimeUtil.timestamptzFromMicros(micros("2024-01-01T09:00:00Z"));
    OffsetDateTime second = DateTimeUtil.timestamptzFromMicros(micros("2024-01-02T09:00:00Z"));
    assertThat(column(out, "seen")).containsExactly(first, null, second, null, first);
    assertThat(column(out, "tags")).containsExactly(List.of("x", "y"), null, List.of(), null, List.of("x", "y"));
    assertThat(column(out, "scores")).containsExactly(List.of(1L), null, List.of(2L, 3L), null, List.of(1L));
  }

  @Test
  void trainingSet_equalEventTimestamps_largerCreatedTimestampWins() {
    Definitions defs = TestFiles.definitions(TXN);
    ingest(defs, "txn", "user_id,event_timestamp,created_timestamp,amount",
        "1,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,1.0",
        "1,2024-01-01T10:00:00Z,2024-01-01T10:01:00Z,2.0");

    List<Map<String, Object>> out = join(defs, List.of(FeatureRef.of("txn", "amount")),
        "user_id,event_timestamp", "1,2024-01-01T12:00:00Z");

    assertThat(column(out, "amount")).containsExactly(1.0);
  }

  @Test
  void trainingSet_fullTie_laterIngestWinsAndLaterRowOfOneFileWins() {
    Definitions defs = TestFiles.definitions(TXN);
    ingest(defs, "txn", "user_id,event_timestamp,created_timestamp,amount",
        "1,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,1.0",
        "2,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,3.0",
        "2,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,4.0");
    ingest(defs, "txn", "user_id,event_timestamp,created_timestamp,amount",
        "1,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,2.0");

    List<Map<String, Object>> out = join(defs, List.of(FeatureRef.of("txn", "amount")),
        "user_id,event_timestamp", "1,2024-01-01T12:00:00Z", "2,2024-01-01T12:00:00Z");

    assertThat(column(out, "amount")).containsExactly(2.0, 4.0);
  }

  @Test
  void trainingSet_keyWithoutDataOrTimeBeforeAnyData_isNull() {
    Definitions defs = TestFiles.definitions(TXN);
    ingest(defs, "txn", "user_id,event_timestamp,amount,tag", "1,2024-01-01T10:00:00Z,1.0,a");

    List<Map<String, Object>> out = join(defs, List.of(FeatureRef.allOf("txn")),
        "user_id,event_timestamp",
        "7,2024-01-01T12:00:00Z",
        "1,2024-01-01T09:00:00Z",
        "1,2024-01-01T10:00:00Z");

    assertThat(column(out, "amount")).containsExactly(null, null, 1.0);
    assertThat(column(out, "tag")).containsExactly(null, null, "a");
  }

  @Test
  void trainingSet_compoundKey_matchesBothKeys() {
    Definitions defs = TestFiles.definitions(USER_MERCHANT);
    ingest(defs, "user_merchant", "user_id,merchant_id,event_timestamp,spend",
        "1,m1,2024-01-01T10:00:00Z,10.0",
        "1,m2,2024-01-01T10:00:00Z,20.0",
        "2,m1,2024-01-01T10:00:00Z,30.0");

    List<Map<String, Object>> out = join(defs, List.of(FeatureRef.of("user_merchant", "spend")),
        "merchant_id,user_id,event_timestamp",
        "m2,1,2024-01-01T11:00:00Z",
        "m1,2,2024-01-01T11:00:00Z",
        "m2,2,2024-01-01T11:00:00Z",
        "m1,1,2024-01-01T11:00:00Z");

    assertThat(column(out, "spend")).containsExactly(20.0, 30.0, null, 10.0);
  }

  @Test
  void trainingSet_twoViewsSharingAFeatureName_joinsBothAsViewUnderscoreFeature() {
    Definitions defs = TestFiles.definitions(TXN, MERCHANT_STATS);
    ingest(defs, "txn", "user_id,event_timestamp,amount", "1,2024-01-01T10:00:00Z,1.0");
    ingest(defs, "merchant_stats", "merchant_id,event_timestamp,amount",
        "m1,2024-01-01T09:00:00Z,100.0", "m1,2024-01-01T13:00:00Z,200.0");

    List<Map<String, Object>> out = join(defs,
        List.of(FeatureRef.of("txn", "amount"), FeatureRef.of("merchant_stats", "amount")),
        "user_id,merchant_id,event_timestamp", "1,m1,2024-01-01T12:00:00Z", "1,m1,2024-01-01T14:00:00Z");

    assertThat(out.get(0).keySet())
        .containsExactly("user_id", "merchant_id", "event_timestamp", "txn__amount", "merchant_stats__amount");
    assertThat(column(out, "txn__amount")).containsExactly(1.0, 1.0);
    assertThat(column(out, "merchant_stats__amount")).containsExactly(100.0, 200.0);
  }

  @Test
  void trainingSet_entityColumnNamedLikeAFeature_qualifiesTheFeature() {
    Definitions defs = TestFiles.definitions(TXN);
    ingest(defs, "txn", "user_id,event_timestamp,amount,tag", "1,2024-01-01T10:00:00Z,1.0,a");

    List<Map<String, Object>> out = join(defs, List.of(FeatureRef.allOf("txn")),
        "amount,user_id,event_timestamp", "label-x,1,2024-01-01T12:00:00Z");

    assertThat(out.get(0))
        .containsExactly(
            Map.entry("amount", "label-x"), Map.entry("user_id", 1L),
            Map.entry("event_timestamp", DateTimeUtil.timestamptzFromMicros(
                micros("2024-01-01T12:00:00Z"))),
            Map.entry("txn__amount", 1.0), Map.entry("tag", "a"));
  }

  @Test
  void trainingSet_fullNaming_namesEveryFeatureViewUnderscoreFeature() {
    Definitions defs = TestFiles.definitions(TXN);
    ingest(defs, "txn", "user_id,event_timestamp,amount,tag", "1,2024-01-01T10:00:00Z,1.0,a");
    Path entities = csv(dir, "entities.csv", "user_id,event_timestamp", "1,2024-01-01T12:00:00Z");

    store.trainingSet(defs, TrainingSetRequest.forFeatures(entities, List.of(FeatureRef.allOf("txn")),
        dir.resolve("out.parquet")).withNaming(FeatureNaming.FULL), ProgressListener.NONE);

    assertThat(readParquet(dir.resolve("out.parquet")).get(0))
        .containsEntry("txn__amount", 1.0)
        .containsEntry("txn__tag", "a");
  }

  @Test
  void trainingSet_entityRows_keepsEveryRowInInputOrderWithAllColumns() {
    Definitions defs = TestFiles.definitions(TXN);
    ingest(defs, "txn", "user_id,event_timestamp,amount",
        "1,2024-01-01T10:00:00Z,1.0", "2,2024-01-01T08:00:00Z,2.0");
    List<Map<String, Object>> out = join(defs, List.of(FeatureRef.of("txn", "amount")),
        "label,user_id,event_timestamp,note",
        "b,2,2024-01-01T12:00:00Z,",
        "a,1,2024-01-01T09:00:00Z,first",
        "c,1,2024-01-01T12:00:00Z,again",
        "a,1,2024-01-01T09:00:00Z,duplicate");

    assertThat(out).hasSize(4);
    assertThat(out.get(0).keySet()).containsExactly("label", "user_id", "event_timestamp", "note", "amount");
    assertThat(column(out, "label")).containsExactly("b", "a", "c", "a");
    assertThat(column(out, "note")).containsExactly(null, "first", "again", "duplicate");
    assertThat(column(out, "amount")).containsExactly(2.0, null, 1.0, null);
  }

  @Test
  void trainingSet_asKnownAt_ignoresLateBackfillWhichIsUsedWithoutIt() {
    Definitions defs = TestFiles.definitions(TXN);
    ingest(defs, "txn", "user_id,event_timestamp,created_timestamp,amount",
        "1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0",
        "1,2024-01-01T11:00:00Z,2024-01-05T00:00:00Z,2.0");
    Path entities = csv(dir, "entities.csv", "user_id,event_timestamp", "1,2024-01-01T12:00:00Z");
    TrainingSetRequest request = TrainingSetRequest.forFeatures(
        entities, List.of(FeatureRef.of("txn", "amount")), dir.resolve("out.parquet"));

    store.trainingSet(defs, request, ProgressListener.NONE);
    List<Map<String, Object>> allWrites = readParquet(dir.resolve("out.parquet"));
    store.trainingSet(
        defs, request.withVisibility(TrainingSetRequest.Visibility.AS_KNOWN_AT), ProgressListener.NONE);
    List<Map<String, Object>> asKnownAt = readParquet(dir.resolve("out.parquet"));

    assertThat(column(allWrites, "amount")).containsExactly(2.0);
    assertThat(column(asKnownAt, "amount")).containsExactly(1.0);
  }

  @Test
  void trainingSet_featureService_joinsItsFeaturesAndReportsSnapshots() {
    Definitions defs = TestFiles.definitions(
        List.of(TXN, MERCHANT_STATS),
        List.of(FeatureService.of("fraud", FeatureRef.of("txn", "tag"), FeatureRef.allOf("merchant_stats"))));
    IngestResult txn = ingest(defs, "txn", "user_id,event_timestamp,tag", "1,2024-01-01T10:00:00Z,t");
    Path entities = csv(dir, "entities.csv", "user_id,merchant_id,event_timestamp", "1,m1,2024-01-01T12:00:00Z");

    TrainingSetResult result = store.trainingSet(
        defs, TrainingSetRequest.forService(entities, "fraud", dir.resolve("out.parquet")), ProgressListener.NONE);

    assertThat(result.rows()).isEqualTo(1);
    assertThat(result.snapshotIds()).isEqualTo(Map.of("txn", txn.snapshotId()));
    assertThat(readParquet(dir.resolve("out.parquet")).get(0))
        .containsEntry("tag", "t")
        .containsEntry("amount", null);
  }

  @Test
  void trainingSet_entityFileWithoutAKeyColumnOfAView_isRefusedNamingTheColumn() {
    Definitions defs = TestFiles.definitions(TXN, USER_MERCHANT);
    Path entities = csv(dir, "entities.csv", "user_id,event_timestamp", "1,2024-01-01T12:00:00Z");

    assertThatThrownBy(() -> store.trainingSet(defs, TrainingSetRequest.forFeatures(entities,
            List.of(FeatureRef.of("txn", "amount"), FeatureRef.of("user_merchant", "spend")),
            dir.resolve("out.parquet")), ProgressListener.NONE))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot build training set from 'entities.csv': join key column 'merchant_id' (STRING) of view"
            + " 'user_merchant' is missing");
  }

  @Test
  void trainingSet_parquetEntityTimestampsInNanosOrMillis_joinAsTheSameInstants() throws Exception {
    // pandas and pyarrow write nanosecond timestamps; Spark and others milliseconds
    Definitions defs = TestFiles.definitions(TXN);
    ingest(defs, "txn", "user_id,event_timestamp,amount", "1,2024-01-01T10:00:00Z,1.5", "1,2024-01-01T12:00:00Z,2.5");
    long at = micros("2024-01-01T11:59:59.999Z");
    long after = micros("2024-01-01T12:00:00Z");
    for (String unit : List.of("NANOS", "MILLIS", "MICROS")) {
      MessageType type = MessageTypeParser.parseMessageType("message entities { required int64 user_id;"
          + " required int64 event_timestamp (TIMESTAMP(" + unit + ",true)); optional int64 seen (TIMESTAMP(" + unit
          + ",true)); }");
      Path entities = dir.resolve("entities-" + unit + ".parquet");
      SimpleGroupFactory groups = new SimpleGroupFactory(type);
      try (ParquetWriter<Group> writer =
          ExampleParquetWriter.builder(new LocalOutputFile(entities)).withType(type).build()) {
        for (long t : new long[] {at, after}) {
          long stored = switch (unit) {
            case "NANOS" -> t * 1000;
            case "MILLIS" -> t / 1000;
            default -> t;
          };
          writer.write(groups.newGroup().append("user_id", 1L).append("event_timestamp", stored)
              .append("seen", stored));
        }
      }
      Path output = dir.resolve("out-" + unit + ".parquet");
      store.trainingSet(defs, TrainingSetRequest.forFeatures(entities, List.of(FeatureRef.of("txn", "amount")),
          output), ProgressListener.NONE);

      List<Map<String, Object>> rows = readParquet(output);
      assertThat(column(rows, "amount")).as(unit).containsExactly(1.5, 2.5);
      assertThat(column(rows, "event_timestamp")).as(unit)
          .containsExactly(DateTimeUtil.timestamptzFromMicros(at), DateTimeUtil.timestamptzFromMicros(after));
      assertThat(column(rows, "seen")).as(unit)
          .containsExactly(DateTimeUtil.timestamptzFromMicros(at), DateTimeUtil.timestamptzFromMicros(after));
    }
  }

  private IngestResult ingest(Definitions defs, String view, String... lines) {
    Path file = csv(dir, view + "-" + System.nanoTime() + ".csv", lines);
    return store.ingest(defs, view, file, ProgressListener.NONE);
  }

  private List<Map<String, Object>> join(Definitions defs, List<FeatureRef> refs, String... entityLines) {
    Path entities = csv(dir, "entities.csv", entityLines);
    Path output = dir.resolve("out.parquet");
    TrainingSetResult result = store.trainingSet(
        defs, TrainingSetRequest.forFeatures(entities, refs, output), ProgressListener.NONE);
    assertThat(result.rows()).isEqualTo(entityLines.length - 1);
    return readParquet(output);
  }

  private static List<Object> column(List<Map<String, Object>> rows, String name) {
    List<Object> values = new ArrayList<>();
    rows.forEach(row -> {
      assertThat(row).containsKey(name);
      values.add(row.get(name));
    });
    return values;
  }
}
