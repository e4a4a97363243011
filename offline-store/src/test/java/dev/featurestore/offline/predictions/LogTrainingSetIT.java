package dev.featurestore.offline.predictions;

import static dev.featurestore.offline.predictions.LogFixtures.batch;
import static dev.featurestore.offline.predictions.LogFixtures.micros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.offline.TableFiles;
import dev.featurestore.online.spi.PredictionBatch;
import dev.featurestore.online.spi.PredictionBatch.PredictionRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training sets from the prediction log joined to outcomes, and experiment assignments, on a small log whose
 * expected output is worked out by hand in each test.
 */
class LogTrainingSetIT {
  @TempDir Path dir;
  private Path warehouse;
  private Path outcomes;

  private static long at(String hhmm) {
    return micros("2026-11-20T" + hhmm + ":00Z");
  }

  @BeforeEach
  void logPredictions() throws IOException {
    warehouse = dir.resolve("warehouse");
    try (OfflinePredictionLog log = PredictionLogs.open(warehouse, PredictionLogOptions.defaults())) {
      log.offer(batch("r1", at("10:00"), "a", 1, 2));
      log.offer(batch("r3", at("10:30"), "b", 3));
      log.offer(new PredictionBatch("v2", at("11:00"), "fraud", 2, "exp", "b", LogFixtures.USER_KEY,
          LogFixtures.TWO_FEATURES,
          List.of(new PredictionRow("2", List.of(2L), List.of(20L, 2.5), List.of(), 0.9, Map.of()))));
      log.offer(batch("r2", at("12:00"), "a", 1));
      // user 1 again, under another variant: a conflicting unit that keeps its first variant
      log.offer(batch("r4", at("13:00"), "b", 1));
    }
    outcomes = dir.resolve("outcomes.csv");
    Files.writeString(outcomes, String.join("\n",
        "unit,outcome_timestamp,outcome",
        "1,2026-11-20T09:00:00Z,5",     // before every prediction of user 1: labels nothing
        "1,2026-11-20T10:30:00Z,1",     // r1 user 1 (10:00 + 30 min)
        "1,2026-11-20T12:20:00Z,0",     // r2 (12:00 + 20 min)
        "2,2026-11-20T11:30:00Z,1",     // v2 (11:00 + 30 min); 90 min after r1, outside a 1 h window
        "3,2026-11-20T10:30:00Z,7",     // r3 at exactly its prediction time; first of a tie
        "3,2026-11-20T10:30:00Z,8",
        "9,2026-11-20T10:30:00Z,1") + "\n");  // a unit never logged
  }

  private List<Map<String, Object>> build(LogTrainingSetRequest request) {
    try (PredictionLogReader reader = PredictionLogs.reader(warehouse)) {
      LogTrainingSetResult result = reader.trainingSet(request);
      assertThat(result.output()).isEqualTo(request.output());
      List<Map<String, Object>> rows = TableFiles.read(request.output());
      assertThat(result.rows()).isEqualTo(rows.size());
      assertThat(result.labelledRows()).isEqualTo(rows.stream().filter(r -> r.get("outcome") != null).count());
      return rows;
    }
  }

  private static OffsetDateTime time(String hhmm) {
    return OffsetDateTime.parse("2026-11-20T" + hhmm + ":00Z");
  }

  @Test
  void trainingSet_oneHourWindow_labelsEachRowWithTheFirstOutcomeInItsWindow() {
    List<Map<String, Object>> rows = build(
        LogTrainingSetRequest.of("fraud", outcomes, dir.resolve("train.parquet")).withWindow(Duration.ofHours(1)));

    assertThat(rows).extracting(r -> r.get("request_id"), r -> r.get("unit"), r -> r.get("outcome"),
        r -> r.get("outcome_timestamp")).containsExactly(
            tuple("r1", "1", 1.0, time("10:30")),
            tuple("r1", "2", null, null),
            tuple("r3", "3", 7.0, time("10:30")),
            tuple("v2", "2", 1.0, time("11:30")),
            tuple("r2", "1", 0.0, time("12:20")),
            tuple("r4", "1", null, null));
    // the features exactly as served, per version
    assertThat(rows.get(3)).containsEntry("txn_count", 20L).containsEntry("avg_amount", 2.5)
        .containsEntry("model_version", 2).containsEntry("score", 0.9);
    assertThat(rows.get(0)).containsEntry("txn_count", 1L).containsEntry("avg_amount", 1.5)
        .containsEntry("row_index", 0).containsEntry("variant", "a");
    assertThat(rows.get(0).keySet()).containsSubsequence(
        "request_id", "prediction_timestamp", "user_id", "txn_count", "score", "outcome_timestamp", "outcome");
  }

  @Test
  void trainingSet_noWindowLimit_labelsWithTheFirstLaterOutcomeAtAnyDistance() {
    List<Map<String, Object>> rows = build(
        LogTrainingSetRequest.of("fraud", outcomes, dir.resolve("train.parquet")).withWindow(Duration.ZERO));

    assertThat(rows).extracting(r -> r.get("request_id"), r -> r.get("unit"), r -> r.get("outcome"))
        .containsExactly(tuple("r1", "1", 1.0), tuple("r1", "2", 1.0), tuple("r3", "3", 7.0),
            tuple("v2", "2", 1.0), tuple("r2", "1", 0.0), tuple("r4", "1", null));
  }

  @Test
  void trainingSet_oneVersionAndTimeRange_keepsOnlyThoseRows() {
    List<Map<String, Object>> rows = build(LogTrainingSetRequest.of("fraud", outcomes, dir.resolve("t.parquet"))
        .withModelVersion(1).withTimeRange(at("10:00"), at("12:00")));

    assertThat(rows).extracting(r -> r.get("request_id"), r -> r.get("unit"))
        .containsExactly(tuple("r1", "1"), tuple("r1", "2"), tuple("r3", "3"));
  }

  @Test
  void trainingSet_joinOnIntegerKeyColumn_comparesKeysAsNumbers() throws IOException {
    Path byUser = dir.resolve("by-user.csv");
    Files.writeString(byUser, "user_id,outcome_timestamp,outcome\n002,2026-11-20T10:10:00Z,true\n");

    List<Map<String, Object>> rows = build(LogTrainingSetRequest.of("fraud", byUser, dir.resolve("t.parquet"))
        .withJoinColumn("user_id"));

    assertThat(rows).extracting(r -> r.get("request_id"), r -> r.get("user_id"), r -> r.get("outcome"))
        .containsExactly(tuple("r1", 1L, null), tuple("r1", 2L, 1.0), tuple("r3", 3L, null),
            tuple("v2", 2L, null), tuple("r2", 1L, null), tuple("r4", 1L, null));
  }

  @Test
  void trainingSet_unknownModel_isNotFoundNamingIt() {
    try (PredictionLogReader reader = PredictionLogs.reader(warehouse)) {
      assertThatThrownBy(() -> reader.trainingSet(LogTrainingSetRequest.of("ranker", outcomes, dir.resolve("x"))))
          .isInstanceOf(NotFoundException.class)
          .hasMessage("Cannot build a training set from the prediction log of model 'ranker': no prediction of it "
              + "is logged");
    }
  }

  @Test
  void trainingSet_joinColumnNotInLog_isRefusedNamingIt() {
    try (PredictionLogReader reader = PredictionLogs.reader(warehouse)) {
      assertThatThrownBy(() -> reader.trainingSet(
          LogTrainingSetRequest.of("fraud", outcomes, dir.resolve("x")).withJoinColumn("merchant_id")))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageStartingWith("Cannot build a training set from the prediction log of model 'fraud': the log "
              + "has no column 'merchant_id' to join outcomes on (columns: [request_id, row_index");
    }
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void trainingSet_badOutcomeValue_isRefusedNamingRowAndColumn() throws IOException {
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "unit,outcome_timestamp,outcome\n1,2026-11-20T10:00:00Z,1\n2,yesterday,1\n");

    try (PredictionLogReader reader = PredictionLogs.reader(warehouse)) {
      assertThatThrownBy(() -> reader.trainingSet(LogTrainingSetRequest.of("fraud", bad, dir.resolve("x"))))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage("Cannot read outcomes 'bad.csv': row 2, column 'outcome_timestamp': expected an ISO-8601 "
              + "instant or epoch microseconds but got 'yesterday'");
    }
  }

  @Test
  void assignments_experiment_givesEachUnitItsFirstVariantAndCountsConflicts() {
    try (PredictionLogReader reader = PredictionLogs.reader(warehouse)) {
      Assignments assignments = reader.assignments("exp");

      assertThat(assignments.units()).containsExactlyInAnyOrder(
          new Assignment("1", "a", at("10:00")),
          new Assignment("2", "a", at("10:00")),
          new Assignment("3", "b", at("10:30")));
      // user 1 was also logged under b (r4), user 2 under b (v2)
      assertThat(assignments.conflictingUnits()).isEqualTo(2);
      assertThat(assignments.rowsWithoutUnit()).isZero();
    }
  }

  @Test
  void assignments_unknownExperiment_isNotFoundNamingItAndTheModels() {
    try (PredictionLogReader reader = PredictionLogs.reader(warehouse)) {
      assertThatThrownBy(() -> reader.assignments("other"))
          .isInstanceOf(NotFoundException.class)
          .hasMessage("Cannot read the assignments of experiment 'other': no logged prediction names it "
              + "(models logged: [fraud])");
    }
  }
}
