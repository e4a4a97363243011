package dev.featurestore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.deploy.quickstart.ExampleData;
import dev.featurestore.deploy.quickstart.ExampleRepo;
import dev.featurestore.deploy.quickstart.Quickstart;
import dev.featurestore.sdk.FeatureStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart as a smoke test: the whole path on the embedded default, in one process. */
class QuickstartIT {

  @Test
  void run_embeddedDefault_completesEveryStep(@TempDir Path dir) throws IOException {
    StringWriter printed = new StringWriter();
    Path quickstartDir = dir.resolve("quickstart");

    Quickstart.Result result = new Quickstart(quickstartDir, new PrintWriter(printed, true), Clock.systemUTC()).run();

    assertThat(result.registryVersion()).isEqualTo(1);
    assertThat(result.ingestedRows()).containsOnlyKeys(
        ExampleRepo.USER_STATS, ExampleRepo.MERCHANT_STATS, ExampleRepo.USER_MERCHANT_STATS);
    for (var entry : result.ingestedRows().entrySet()) {
      long lines = Files.readAllLines(quickstartDir.resolve(entry.getKey() + ".csv")).size() - 1;
      assertThat(entry.getValue()).as(entry.getKey()).isEqualTo(lines);
    }
    assertThat(result.trainingRows()).isEqualTo(ExampleData.ENTITY_ROWS);
    assertThat(result.trainingRowsWithAllFeatures()).isPositive().isLessThan(ExampleData.ENTITY_ROWS);
    assertThat(result.keysMaterialized()).isGreaterThanOrEqualTo(ExampleData.USERS + ExampleData.MERCHANTS);
    // user 999999 has no data at all; users 1 and 2 were materialized from fresh history.
    assertThat(result.onlineStatuses()).containsKeys(FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND);
    assertThat(result.pushedValueReadBack()).isEqualTo(41L);
    assertThat(printed.toString())
        .contains("applied them as registry version 1")
        .contains("Built a point-in-time training set")
        .contains("Read 'fraud_model' for 3 entity rows over gRPC")
        .contains("txn_count_7d = 41")
        .contains("applied it as model fraud_lr version 1 (registry version 2) and scored 3 rows");
    assertThat(result.scores()).hasSize(3).allSatisfy(score -> assertThat(score).isBetween(0.0, 1.0));
    assertThat(quickstartDir.resolve("training_set.parquet")).isRegularFile();
    assertThat(quickstartDir.resolve("feature_repo.yaml")).isRegularFile();
  }
}
