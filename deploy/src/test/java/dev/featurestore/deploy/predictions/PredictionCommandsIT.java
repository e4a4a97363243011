package dev.featurestore.deploy.predictions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.Experiment;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.deploy.FstoreRun;
import dev.featurestore.deploy.cli.FstoreCommand;
import dev.featurestore.offline.OfflineStores;
import dev.featurestore.offline.TableFiles;
import dev.featurestore.offline.predictions.OfflinePredictionLog;
import dev.featurestore.offline.predictions.PredictionLogOptions;
import dev.featurestore.online.spi.PredictionBatch;
import dev.featurestore.online.spi.PredictionBatch.Column;
import dev.featurestore.online.spi.PredictionBatch.PredictionRow;
import dev.featurestore.registry.Registries;
import dev.featurestore.registry.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prediction-log commands end to end: a log written through the prediction log into the data directory's
 * warehouse, then {@code analyze-experiment} and {@code log-training-set} as an operator runs them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictionCommandsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = Instant.parse("2026-11-20T00:00:00Z").getEpochSecond() * 1_000_000L;
  private static final long HOUR = 3_600_000_000L;
  private static final int UNITS = 400;

  private Path dir;
  private Path dataDir;
  private Path outcomes;


  @BeforeAll
  void logExperiments(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    dataDir = dir.resolve("data");
    List<Column> keys = List.of(new Column("user_id", ValueType.INT64));
    List<Column> features = List.of(new Column("visits", ValueType.INT64));
    StringBuilder csv = new StringBuilder("unit,outcome_timestamp,outcome\n");
    Random random = new Random(11);
    try (OfflinePredictionLog log =
        OfflineStores.predictionLog(dataDir.resolve("warehouse"), PredictionLogOptions.defaults())) {
      // "checkout": 50/50, treatment adds 1.0 to a N(10, 2) outcome; every unit also has an outcome before its
      // assignment that would swamp the means if it counted
      for (int u = 0; u < 2 * UNITS; u++) {
        String variant = u % 2 == 0 ? "control" : "treatment";
        long time = T0 + u * 1_000_000L;
        log.offer(new PredictionBatch("c" + u, time, "shop", 1, "checkout", variant, keys, features,
            List.of(new PredictionRow(String.valueOf(u), List.of((long) u), List.of((long) u % 7), List.of(),
                0.5, Map.of()))));
        double value = (variant.equals("control") ? 10.0 : 11.0) + 2 * random.nextGaussian();
        csv.append(u).append(',').append(time + HOUR).append(',').append(value).append('\n');
        csv.append(u).append(',').append(time - HOUR).append(",1000\n");
      }
      // "skewed": configured 50/50 but logged 5,200 / 4,800 units
      List<PredictionRow> rows = new ArrayList<>();
      for (int u = 0; u < 10_000; u++) {
        rows.add(new PredictionRow("s" + u, List.of(100_000L + u), List.of(1L), List.of(), 0.5, Map.of()));
        if (rows.size() == 100) {
          String variant = u < 5_200 ? "a" : "b";
          log.offer(new PredictionBatch("s" + u, T0, "shop", 1, "skewed", variant, keys, features, rows));
          rows = new ArrayList<>();
        }
      }
    }
    outcomes = dir.resolve("outcomes.csv");
    Files.writeString(outcomes, csv);
  }

  private FstoreRun run(String... args) {
    return FstoreRun.of(List.of("--data-dir", dataDir.toString()), args);
  }

  @Test
  void help_predictionCommands_describeThemselves() {
    for (String command : List.of("analyze-experiment", "log-training-set")) {
      FstoreRun run = run(command, "--help");
      assertThat(run.exitCode()).as(command).isZero();
      assertThat(run.out()).as(command).contains("Usage: fstore " + command).contains("--outcomes");
    }
  }

  @Test
  void analyzeExperiment_json_findsTheKnownEffectAndCountsOnlyOutcomesAfterAssignment() throws IOException {
    FstoreRun run = run("analyze-experiment", "--experiment", "checkout", "--outcomes", outcomes.toString(),
        "--weights", "control=50,treatment=50", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode report = JSON.readTree(run.out());
    assertThat(report.get("control").asText()).isEqualTo("control");
    JsonNode treatment = report.get("variants").get(1);
    assertThat(treatment.get("variant").asText()).isEqualTo("treatment");
    assertThat(treatment.get("units").asLong()).isEqualTo(UNITS);
    JsonNode effect = treatment.get("vs_control");
    assertThat(effect.get("significant").asBoolean()).isTrue();
    assertThat(effect.get("ci_low").asDouble()).isPositive().isLessThan(1.0);
    assertThat(effect.get("ci_high").asDouble()).isGreaterThan(1.0);
    assertThat(effect.get("p_value").asDouble()).isLessThan(1e-6);
    assertThat(report.get("variants").get(0).get("vs_control").isNull()).isTrue();
    assertThat(report.get("sample_ratio").get("mismatch").asBoolean()).isFalse();
    assertThat(report.get("outcomes_counted").asLong()).isEqualTo(2 * UNITS);
    assertThat(report.get("outcomes_before_assignment").asLong()).isEqualTo(2 * UNITS);
  }

  @Test
  void analyzeExperiment_table_printsOneLinePerVariantAndTheSampleRatioVerdict() {
    FstoreRun run = run("analyze-experiment", "-x", "checkout", "--outcomes", outcomes.toString(),
        "--weights", "control=50,treatment=50");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Experiment 'checkout': 800 units, control 'control', per-unit mean of outcomes")
        .containsPattern("(?m)^control +400 +400 ")
        .containsPattern("(?m)^treatment +400 +400 .*\\*")
        .contains("Sample ratio: chi-square 0 (df 1), p = 1.00 against control=50%, treatment=50%: OK");
  }

  @Test
  void analyzeExperiment_skewedSplit_flagsSampleRatioMismatch() {
    FstoreRun run = run("analyze-experiment", "-x", "skewed", "--outcomes", outcomes.toString(), "--weights", "a=1,b=1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    // chi-square (5200 - 5000)^2 / 5000 * 2 = 16, p = 6.3e-5
    assertThat(run.out()).contains("Sample ratio: chi-square 16 (df 1), p = 6.33e-05 against a=50%, b=50%")
        .contains("SAMPLE RATIO MISMATCH (p < 0.001)");
  }

  @Test
  void analyzeExperiment_noWeightsGiven_takesTheExperimentsWeightsFromTheRegistry() {
    ModelInput visits = ModelInput.of("activity:visits", "x", ValueType.INT64, 0);
    Definitions defined = new Definitions(
        List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64))),
        List.of(FeatureView.builder("activity").entity("user").feature("visits", ValueType.INT64).build()),
        List.of(FeatureService.of("shop", FeatureRef.allOf("activity"))),
        List.of(new Model("shop", 1, "shop.onnx", "0".repeat(64), "shop", List.of(visits), "score", "")),
        List.of(new Experiment("skewed", "user_id", "", List.of(Experiment.Variant.of("a", 1, "shop", 1),
            Experiment.Variant.of("b", 1, "shop", 1)), List.of(), "")));
    try (Registry registry = Registries.embedded(dataDir)) {
      registry.apply(defined, registry.current().version());
    }

    FstoreRun run = run("analyze-experiment", "-x", "skewed", "--outcomes", outcomes.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Sample ratio: chi-square 16 (df 1), p = 6.33e-05 against a=50%, b=50%")
        .contains("SAMPLE RATIO MISMATCH (p < 0.001)");
  }

  @Test
  void analyzeExperiment_unknownExperiment_isRefusedNamingIt() {
    FstoreRun run = run("analyze-experiment", "-x", "nope", "--outcomes", outcomes.toString());

    assertThat(run.exitCode()).isEqualTo(FstoreCommand.EXIT_REFUSED);
    assertThat(run.err()).contains(
        "Cannot read the assignments of experiment 'nope': no logged prediction names it (models logged: [shop])");
  }

  @Test
  void analyzeExperiment_unknownControl_isRefusedNamingIt() {
    FstoreRun run = run("analyze-experiment", "-x", "checkout", "--outcomes", outcomes.toString(), "--control", "b");

    assertThat(run.exitCode()).isEqualTo(FstoreCommand.EXIT_REFUSED);
    assertThat(run.err()).contains("control variant 'b' is not one of its variants [control, treatment]");
  }

  @Test
  void logTrainingSet_checkoutLog_labelsEachRowWithItsOutcomeWithinTheWindow() {
    Path output = dir.resolve("train.parquet");
    FstoreRun run = run("log-training-set", "-m", "shop", "--outcomes", outcomes.toString(), "-o", output.toString(),
        "--window", "PT2H", "--end", "2026-11-20T00:30:00Z");

    assertThat(run.exitCode()).as(run.err()).isZero();
    // the 800 checkout rows (all before 00:30) and the 10,000 skewed rows at T0, whose units have no outcome
    assertThat(run.out()).contains("wrote 10,800 rows (800 with an outcome) to " + output);
    List<Map<String, Object>> rows = TableFiles.read(output);
    Map<String, Object> first = rows.stream().filter(r -> "c5".equals(r.get("request_id"))).findFirst().orElseThrow();
    assertThat(first).containsEntry("unit", "5").containsEntry("visits", 5L).containsEntry("variant", "treatment");
    assertThat((Double) first.get("outcome")).isNotEqualTo(1000.0);
  }

  @Test
  void logTrainingSet_missingOutcomesFile_isRefusedNamingIt() {
    FstoreRun run = run("log-training-set", "-m", "shop", "--outcomes", dir.resolve("none.csv").toString(),
        "-o", dir.resolve("x.parquet").toString());

    assertThat(run.exitCode()).isEqualTo(FstoreCommand.EXIT_REFUSED);
    assertThat(run.err()).contains("Cannot read 'none.csv': file '" + dir.resolve("none.csv") + "' does not exist");
  }
}
