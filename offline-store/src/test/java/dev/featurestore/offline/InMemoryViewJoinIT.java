package dev.featurestore.offline;

import static dev.featurestore.api.ValueType.INT64;
import static dev.featurestore.api.ValueType.STRING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-pass in-memory join ({@link InMemoryViewJoin}) on a view whose rows lie in many daily files, against the
 * brute-force reference: with one INT64 key (kept as its prefix alone) and with a key of two columns (kept as
 * bytes); and its ways out, with the same result: matched values that do not fit go to a sorter by entity row
 * that spills, keys that do not fit are read in several passes of a slice of the keys each, and keys that would
 * need more than {@link InMemoryViewJoin#MAX_KEY_PASSES} passes send the view to the spilling path.
 */
class InMemoryViewJoinIT {
  private static final long HOUR = 3_600_000_000L;
  private static final long BASE = TestFiles.micros("2024-01-01T00:00:00Z");

  @TempDir Path dir;

  @Test
  void trainingSet_inMemory_equalsBruteForce() throws Exception {
    Result result = assertTrainingSetEqualsBruteForce(40, TrainingSetOptions.defaults().memoryBudgetBytes(), false);
    assertThat(result.spilledRuns()).isZero();
    assertThat(result.keyPasses()).isOne();
  }

  @Test
  void trainingSet_twoColumnKey_inMemory_equalsBruteForce() throws Exception {
    Result result = assertTrainingSetEqualsBruteForce(40, TrainingSetOptions.defaults().memoryBudgetBytes(), true);
    assertThat(result.spilledRuns()).isZero();
    assertThat(result.keyPasses()).isOne();
  }

  @Test
  void trainingSet_keysFitButNotTheMatchedValues_spillsTheValuesAndEqualsBruteForce() throws Exception {
    // 3,000 probes and the 6,000 rows' keys fit in 600 KB; the values of some 2,000 matched rows, with labels of
    // 300 characters, do not
    Result result = assertTrainingSetEqualsBruteForce(3000, 600_000, false, 300);
    assertThat(result.spilledRuns()).as("runs spilled").isPositive();
    assertThat(result.keyPasses()).isOne();
  }

  @Test
  void trainingSet_keysDoNotFit_readsThemInPassesAndEqualsBruteForce() throws Exception {
    // 40 probes fit in a third of 150 KB; the 6,000 rows' keys (some 300 KB) do not fit in the rest at once
    Result result = assertTrainingSetEqualsBruteForce(40, 150_000, false);
    assertThat(result.spilledRuns()).isZero();
    assertThat(result.keyPasses()).isBetween(2, InMemoryViewJoin.MAX_KEY_PASSES);
  }

  @Test
  void trainingSet_twoColumnKeysDoNotFit_readsThemInPassesAndEqualsBruteForce() throws Exception {
    Result result = assertTrainingSetEqualsBruteForce(40, 200_000, true);
    assertThat(result.spilledRuns()).isZero();
    assertThat(result.keyPasses()).isBetween(2, InMemoryViewJoin.MAX_KEY_PASSES);
  }

  @Test
  void trainingSet_keysWouldNeedTooManyPasses_takesTheSpillingPathAndEqualsBruteForce() throws Exception {
    // the 40 probes fit a third of 75 KB; the rest (about 53 KB) cannot hold a pass's columns even in
    // MAX_KEY_PASSES passes, each sized for its slice of the 6,000 rows plus 1,024 rows of room
    Result result = assertTrainingSetEqualsBruteForce(40, 75_000, false);
    assertThat(result.spilledRuns()).as("runs spilled").isPositive();
    assertThat(result.keyPasses()).isZero();
  }

  private record Result(int spilledRuns, int keyPasses) {}

  private Result assertTrainingSetEqualsBruteForce(int entityCount, long budget, boolean pairKey) throws Exception {
    return assertTrainingSetEqualsBruteForce(entityCount, budget, pairKey, 0);
  }

  /**
   * @param pairKey a key of two columns (user and merchant) instead of one
   * @param labelLength the least length of the label values (padded with 'x')
   */
  private Result assertTrainingSetEqualsBruteForce(int entityCount, long budget, boolean pairKey, int labelLength)
      throws Exception {
    List<String> entitiesOfView = pairKey ? List.of("user", "merchant") : List.of("user");
    FeatureView view = FeatureView.builder("clicks").entities(entitiesOfView)
        .feature("row_id", INT64).feature("label", STRING).feature("added_later", STRING)
        .ttl(Duration.ofHours(24 * 5)).build();
    FeatureView before = FeatureView.builder("clicks").entities(entitiesOfView)
        .feature("row_id", INT64).feature("label", STRING).ttl(Duration.ofHours(24 * 5)).build();
    String keyColumns = pairKey ? "user_id,merchant_id" : "user_id";
    Random random = new Random(5);
    List<StoredRow> reference = new ArrayList<>();
    List<String> first = new ArrayList<>(List.of(keyColumns + ",event_timestamp,created_timestamp,row_id,label"));
    List<String> second =
        new ArrayList<>(List.of(keyColumns + ",event_timestamp,created_timestamp,row_id,label,added_later"));
    for (int i = 0; i < 6000; i++) {
      long user = random.nextInt(200) - 20; // negative keys too: their prefixes sort after the positive ones
      EntityKey key = pairKey ? EntityKey.of(user, (long) random.nextInt(3)) : EntityKey.of(user);
      long event = BASE + random.nextInt(30 * 24) * HOUR;
      long created = event + random.nextInt(3) * HOUR;
      String label = random.nextInt(10) == 0 ? "" : padded("l" + i, labelLength);
      boolean later = i >= 4000;
      (later ? second : first).add(csvKey(key) + "," + event + "," + created + "," + i + "," + label
          + (later ? ",x" + i : ""));
      reference.add(new StoredRow(key, event, created, later ? 1 : 0, i,
          new Object[] {(long) i, label.isEmpty() ? null : label, later ? "x" + i : null}));
    }
    List<String> entities = new ArrayList<>(List.of(keyColumns + ",event_timestamp"));
    List<EntityKey> lookupKeys = new ArrayList<>();
    List<Long> lookupTimes = new ArrayList<>();
    for (int i = 0; i < entityCount; i++) {
      long user = random.nextInt(220) - 20;
      lookupKeys.add(pairKey ? EntityKey.of(user, (long) random.nextInt(3)) : EntityKey.of(user));
      lookupTimes.add(BASE + random.nextInt(32 * 24) * HOUR);
      entities.add(csvKey(lookupKeys.get(i)) + "," + lookupTimes.get(i));
    }
    Path entityFile = TestFiles.csv(dir, "entities.csv", entities.toArray(String[]::new));
    List<FeatureRef> features = List.of(FeatureRef.of("clicks", "row_id"), FeatureRef.of("clicks", "label"),
        FeatureRef.of("clicks", "added_later"));
    Definitions definitions = TestFiles.definitions(view);

    Path run = dir.resolve("budget-" + budget + (pairKey ? "-pair" : ""));
    TrainingSetOptions options = TrainingSetOptions.builder().memoryBudgetBytes(budget)
        .spillDirectory(run.resolve("spill")).build();
    try (OfflineStore store = OfflineStores.local(run.resolve("warehouse"), options)) {
      store.ingest(TestFiles.definitions(before), "clicks",
          TestFiles.csv(run, "first.csv", first.toArray(String[]::new)), ProgressListener.NONE);
      store.ingest(definitions, "clicks", TestFiles.csv(run, "second.csv", second.toArray(String[]::new)),
          ProgressListener.NONE);
      Path output = run.resolve("out.parquet");
      TrainingSetResult result = store.trainingSet(definitions,
          TrainingSetRequest.forFeatures(entityFile, features, output), ProgressListener.NONE);

      List<Map<String, Object>> rows = TestFiles.readParquet(output);
      assertThat(rows).hasSize(entityCount);
      int matched = 0;
      for (int i = 0; i < entityCount; i++) {
        StoredRow expected = PointInTimeJoinPropertyTest.bruteForce(reference, lookupKeys.get(i),
            lookupTimes.get(i), view.ttlMicros(), false);
        Object[] values = expected == null ? new Object[3] : expected.values();
        matched += expected == null ? 0 : 1;
        assertThat(rows.get(i)).as("budget %d, entity row %d", budget, i)
            .containsEntry("row_id", values[0]).containsEntry("label", values[1])
            .containsEntry("added_later", values[2]);
      }
      assertThat(matched).as("entity rows with a match").isBetween(entityCount / 4, entityCount - 1);
      return new Result(result.spilledRuns(), result.keyPasses());
    }
  }

  private static String padded(String text, int length) {
    return text.length() >= length ? text : text + "x".repeat(length - text.length());
  }

  private static String csvKey(EntityKey key) {
    return key.values().stream().map(String::valueOf).collect(Collectors.joining(","));
  }
}
