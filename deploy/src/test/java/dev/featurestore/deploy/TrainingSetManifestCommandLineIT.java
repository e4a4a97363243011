package dev.featurestore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.offline.TableFiles;
import dev.featurestore.offline.TrainingSetManifest;
import dev.featurestore.sdk.DefinitionsYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code training-set} with manifests on the command line: the manifest beside the output, {@code --as-of} after
 * more data and a changed definition, {@code --to-table}, and the refusals.
 */
class TrainingSetManifestCommandLineIT {
  private static final Entity USER = Entity.of("user", JoinKey.of("user_id", ValueType.INT64));
  private static final FeatureView TXN = FeatureView.builder("txn")
      .entity("user")
      .feature("amount", ValueType.DOUBLE)
      .build();
  /** Version 2 of the definitions: the view gains a feature, so "txn:*" selects one more column. */
  private static final FeatureView TXN_V2 = TXN.toBuilder().feature("count", ValueType.INT64).build();

  @TempDir Path dir;


  @Test
  void trainingSet_asOfManifest_reproducesRowsAndHashAfterMoreDataAndANewDefinition() throws IOException {
    apply(TXN);
    ingest("1,2024-01-01T10:00:00Z,1.0", "2,2024-01-01T10:00:00Z,2.0");
    Path entities = write("entities.csv", "user_id,event_timestamp", "1,2024-01-01T12:00:00Z",
        "2,2024-01-01T12:00:00Z", "3,2024-01-01T12:00:00Z");
    Path first = dir.resolve("first.parquet");

    FstoreRun built = run("training-set", "-e", entities.toString(), "-f", "txn:*", "-o", first.toString(),
        "--to-table", "fraud_v1");

    assertThat(built.exitCode()).as(built.err()).isZero();
    Path manifestFile = dir.resolve("first.parquet.manifest.json");
    TrainingSetManifest manifest = TrainingSetManifest.read(manifestFile);
    assertThat(manifest.definitionsVersion()).isEqualTo(1);
    assertThat(manifest.rows()).isEqualTo(3);
    assertThat(manifest.table()).isEqualTo("training.fraud_v1");
    assertThat(built.out()).contains("content hash " + manifest.contentHash())
        .contains("saved as table training.fraud_v1 (snapshot " + manifest.tableSnapshotId() + ")");

    apply(TXN_V2);
    ingest("1,2024-01-01T11:00:00Z,9.0", "3,2024-01-01T11:00:00Z,3.0");
    Path latest = dir.resolve("latest.parquet");
    Path latestManifest = dir.resolve("latest.json");
    FstoreRun now = run("training-set", "-e", entities.toString(), "-f", "txn:*", "-o", latest.toString(),
        "--manifest-out", latestManifest.toString());
    Path again = dir.resolve("again.parquet");
    FstoreRun reproduced = run("training-set", "--as-of", manifestFile.toString(), "-o", again.toString());

    assertThat(now.exitCode()).as(now.err()).isZero();
    assertThat(TrainingSetManifest.read(latestManifest).contentHash()).isNotEqualTo(manifest.contentHash());
    assertThat(TableFiles.read(latest).get(0)).containsKey("count");
    assertThat(reproduced.exitCode()).as(reproduced.err()).isZero();
    assertThat(reproduced.out()).contains("content hash " + manifest.contentHash());
    assertThat(TableFiles.read(again)).isEqualTo(TableFiles.read(first));
    assertThat(TrainingSetManifest.read(dir.resolve("again.parquet.manifest.json")).snapshotIds())
        .isEqualTo(manifest.snapshotIds());
  }

  @Test
  void trainingSet_asOfWithEntities_isRefused() {
    FstoreRun run = run("training-set", "--as-of", dir.resolve("m.json").toString(), "-e", "x.csv", "-o",
        dir.resolve("o.parquet").toString());

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("Cannot use --as-of '" + dir.resolve("m.json") + "' with --entities, "
        + "--features, --service, --full-names or --as-known-at: the manifest says them");
  }

  @Test
  void trainingSet_withoutEntitiesOrAsOf_isRefused() {
    FstoreRun run = run("training-set", "-f", "txn:*", "-o", dir.resolve("o.parquet").toString());

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains(
        "Cannot build training set: give --entities and --features or --service (or --as-of MANIFEST)");
  }

  private void apply(FeatureView view) {
    Path yaml = dir.resolve("repo.yaml");
    DefinitionsYaml.write(new Definitions(List.of(USER), List.of(view), List.of()), yaml);
    FstoreRun run = run("apply", "-f", yaml.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  private void ingest(String... lines) throws IOException {
    List<String> all = new ArrayList<>(List.of("user_id,event_timestamp,amount"));
    all.addAll(List.of(lines));
    Path file = write("txn-" + System.nanoTime() + ".csv", all.toArray(String[]::new));
    FstoreRun run = run("ingest", "-v", "txn", file.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  private Path write(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  private FstoreRun run(String... args) {
    return FstoreRun.of(List.of("--data-dir", dir.resolve("data").toString()), args);
  }
}
