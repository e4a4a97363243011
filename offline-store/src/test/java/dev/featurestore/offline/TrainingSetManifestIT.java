package dev.featurestore.offline;

import static dev.featurestore.api.ValueType.DOUBLE;
import static dev.featurestore.api.ValueType.STRING;
import static dev.featurestore.offline.TestFiles.csv;
import static dev.featurestore.offline.TestFiles.readParquet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests, rebuilding as of a manifest (Iceberg time travel) and saving as an Iceberg table, on real tables. */
class TrainingSetManifestIT {
  private static final FeatureView TXN = FeatureView.builder("txn")
      .entity("user")
      .feature("amount", DOUBLE)
      .feature("tag", STRING)
      .feature("scores", ValueType.INT64_LIST)
      .build();
  private static final FeatureView MERCHANT_STATS = FeatureView.builder("merchant_stats")
      .entity("merchant")
      .feature("volume", DOUBLE)
      .build();
  private static final List<FeatureRef> REFS = List.of(
      FeatureRef.allOf("txn"), FeatureRef.of("merchant_stats", "volume"));

  @TempDir Path dir;
  private OfflineStore store;
  private Definitions defs;
  private Path entities;

  @BeforeEach
  void open() {
    store = OfflineStores.local(dir.resolve("warehouse"), TrainingSetOptions.defaults());
    defs = TestFiles.definitions(TXN, MERCHANT_STATS);
    ingest("txn", "user_id,event_timestamp,amount,tag,scores",
        "1,2024-01-01T10:00:00Z,1.5,a,\"[1,2]\"",
        "2,2024-01-01T10:00:00Z,2.5,b,");
    entities = csv(dir, "entities.csv", "user_id,merchant_id,event_timestamp,label",
        "1,m1,2024-01-01T12:00:00Z,0",
        "2,m1,2024-01-01T12:00:00Z,1",
        "3,m2,2024-01-01T12:00:00Z,0");
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void trainingSet_always_writesManifestBesideTheOutput() throws Exception {
    Path output = dir.resolve("out.parquet");
    long txnSnapshot = table("features", "txn").currentSnapshot().snapshotId();

    TrainingSetResult result = build(TrainingSetRequest.forFeatures(entities, REFS, output)
        .withDefinitionsVersion(7));

    Path manifestFile = dir.resolve("out.parquet.manifest.json");
    assertThat(result.manifestPath()).isEqualTo(manifestFile);
    TrainingSetManifest manifest = TrainingSetManifest.read(manifestFile);
    assertThat(manifest).isEqualTo(result.manifest());
    assertThat(manifest.formatVersion()).isEqualTo(TrainingSetManifest.FORMAT_VERSION);
    assertThat(manifest.entityFile()).isEqualTo(entities);
    assertThat(manifest.entitySha256()).isEqualTo(ManifestCodec.sha256(entities, "test"));
    assertThat(manifest.features()).isEqualTo(REFS);
    assertThat(manifest.definitionsVersion()).isEqualTo(7);
    assertThat(manifest.snapshotIds()).isEqualTo(Map.of("txn", txnSnapshot));
    assertThat(manifest.viewsWithoutTable()).containsExactly("merchant_stats");
    assertThat(manifest.rows()).isEqualTo(3);
    assertThat(manifest.contentHash()).matches("sha256:[0-9a-f]{64}");
    assertThat(manifest.output()).isEqualTo(output);
    assertThat(manifest.table()).isNull();
    assertThat(Files.readString(manifestFile)).contains("\"merchant_stats\" : null");
  }

  @Test
  void trainingSet_sameInputsTwice_giveTheSameContentHash() {
    TrainingSetResult first = build(TrainingSetRequest.forFeatures(entities, REFS, dir.resolve("a.parquet")));
    TrainingSetResult second = build(TrainingSetRequest.forFeatures(entities, REFS, dir.resolve("b.parquet")));

    assertThat(second.manifest().contentHash()).isEqualTo(first.manifest().contentHash());
  }

  @Test
  void trainingSet_asOfManifestAfterMoreData_reproducesTheRowsAndHash() {
    TrainingSetResult original = build(TrainingSetRequest.forFeatures(entities, REFS, dir.resolve("v1.parquet")));
    List<Map<String, Object>> originalRows = readParquet(dir.resolve("v1.parquet"));
    // rows that change the answer: a newer value for user 1, a first for user 3, the merchant view gets a table
    ingest("txn", "user_id,event_timestamp,amount,tag,scores",
        "1,2024-01-01T11:00:00Z,9.5,z,[9]",
        "3,2024-01-01T11:30:00Z,3.5,c,[3]");
    ingest("merchant_stats", "merchant_id,event_timestamp,volume", "m1,2024-01-01T09:00:00Z,100.0");

    TrainingSetResult latest = build(TrainingSetRequest.forFeatures(entities, REFS, dir.resolve("v2.parquet")));
    TrainingSetManifest manifest = TrainingSetManifest.read(original.manifestPath());
    TrainingSetResult again = build(manifest.toRequest(dir.resolve("again.parquet")));

    assertThat(latest.manifest().contentHash()).isNotEqualTo(original.manifest().contentHash());
    assertThat(readParquet(dir.resolve("v2.parquet"))).isNotEqualTo(originalRows);
    assertThat(again.manifest().contentHash()).isEqualTo(original.manifest().contentHash());
    assertThat(readParquet(dir.resolve("again.parquet"))).isEqualTo(originalRows);
    assertThat(again.manifest().snapshotIds()).isEqualTo(original.manifest().snapshotIds());
    assertThat(again.manifest().viewsWithoutTable()).containsExactly("merchant_stats");
  }

  @Test
  void trainingSet_asOfExpiredSnapshot_isRefusedNamingViewSnapshotAndRetention() {
    TrainingSetResult original = build(TrainingSetRequest.forFeatures(entities, REFS, dir.resolve("v1.parquet")));
    long snapshot = original.snapshotIds().get("txn");
    ingest("txn", "user_id,event_timestamp,amount", "1,2024-01-01T11:00:00Z,9.5");
    store.expireSnapshots("txn", RetentionPolicy.defaults().withMaxAge(Duration.ZERO).withRetainLast(1));

    assertThatThrownBy(() -> build(original.manifest().toRequest(dir.resolve("again.parquet"))))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Cannot build training set from 'entities.csv' as of its manifest: snapshot " + snapshot
            + " of view 'txn' is no longer in its table's history (expired: snapshots are kept only within the"
            + " retention window of expire-snapshots, younger than --snapshot-max-age or among the last"
            + " --snapshot-retain-last)");
    assertThat(dir.resolve("again.parquet")).doesNotExist();
  }

  @Test
  void trainingSet_asOfWithChangedEntityFile_isRefusedNamingBothHashes() throws Exception {
    TrainingSetResult original = build(TrainingSetRequest.forFeatures(entities, REFS, dir.resolve("v1.parquet")));
    Files.writeString(entities, "9,m9,2024-01-01T12:00:00Z,1\n", java.nio.file.StandardOpenOption.APPEND);
    String now = ManifestCodec.sha256(entities, "test");

    assertThatThrownBy(() -> build(original.manifest().toRequest(dir.resolve("again.parquet"))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot build training set from 'entities.csv' as of its manifest: the entity file changed"
            + " since (sha256 " + now + ", the manifest has " + original.manifest().entitySha256() + ")");
  }

  @Test
  void trainingSet_toTable_savesTheSameRowsAsTheParquetFileInOneSnapshot() {
    ingest("merchant_stats", "merchant_id,event_timestamp,volume", "m1,2024-01-01T09:00:00Z,100.0");
    Path output = dir.resolve("out.parquet");

    TrainingSetResult result = build(TrainingSetRequest.forFeatures(entities, REFS, output).withTable("fraud_v1"));

    Table table = table("training", "fraud_v1");
    assertThat(tableRows(table)).isEqualTo(readParquet(output));
    assertThat(table.schema().columns()).extracting(Types.NestedField::name)
        .containsExactly("user_id", "merchant_id", "event_timestamp", "label", "amount", "tag", "scores", "volume");
    assertThat(table.snapshots()).hasSize(1);
    assertThat(result.manifest().table()).isEqualTo("training.fraud_v1");
    assertThat(result.manifest().tableSnapshotId()).isEqualTo(table.currentSnapshot().snapshotId());
    assertThat(TrainingSetManifest.read(result.manifestPath())).isEqualTo(result.manifest());
  }

  @Test
  void trainingSet_toExistingTable_isRefusedBeforeWriting() {
    build(TrainingSetRequest.forFeatures(entities, REFS, dir.resolve("a.parquet")).withTable("fraud_v1"));

    assertThatThrownBy(() -> build(
        TrainingSetRequest.forFeatures(entities, REFS, dir.resolve("b.parquet")).withTable("fraud_v1")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot build training set from 'entities.csv': table 'training.fraud_v1' already exists"
            + " (choose another name; a saved training set is never replaced)");
    assertThat(dir.resolve("b.parquet")).doesNotExist();
  }

  private TrainingSetResult build(TrainingSetRequest request) {
    return store.trainingSet(defs, request, ProgressListener.NONE);
  }

  private void ingest(String view, String... lines) {
    store.ingest(defs, view, csv(dir, view + "-" + System.nanoTime() + ".csv", lines), ProgressListener.NONE);
  }

  private Table table(String namespace, String name) {
    return new HadoopCatalog(new Configuration(), dir.resolve("warehouse").toUri().toString())
        .loadTable(TableIdentifier.of(namespace, name));
  }

  /** The table's rows in file order, as column name to value (the representation of {@link TestFiles#readParquet}). */
  private static List<Map<String, Object>> tableRows(Table table) {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record record : records) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (Types.NestedField field : table.schema().columns()) {
          row.put(field.name(), record.getField(field.name()));
        }
        rows.add(row);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return rows;
  }
}
