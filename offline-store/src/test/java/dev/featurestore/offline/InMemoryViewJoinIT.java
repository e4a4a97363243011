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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-pass in-memory join ({@link InMemoryViewJoin}) on a view of one INT64 key (kept as its prefix alone)
 * whose rows lie in many daily files, against the brute-force reference; and its two ways out, with the same
 * result: matched values that do not fit go to a sorter by entity row that spills, and keys that do not fit send
 * the view to the spilling path.
 */
class InMemoryViewJoinIT {
  private static final long HOUR = 3_600_000_000L;
  private static final long BASE = TestFiles.micros("2024-01-01T00:00:00Z");

  @TempDir Path dir;

  @Test
  void trainingSet_inMemory_equalsBruteForce() throws Exception {
    assertTrainingSetEqualsBruteForce(40, TrainingSetOptions.defaults().memoryBudgetBytes(), false);
  }

  @Test
  void trainingSet_keysFitButNotTheMatchedValues_spillsTheValuesAndEqualsBruteForce() throws Exception {
    // 3,000 probes and the 6,000 rows' keys fit in 600 KB; the values of some 2,000 matched rows do not
    assertTrainingSetEqualsBruteForce(3000, 600_000, true);
  }

  @Test
  void trainingSet_keysDoNotFit_takesTheSpillingPathAndEqualsBruteForce() throws Exception {
    // 40 probes fit in a third of 150 KB; the 6,000 rows' keys do not fit in the rest
    assertTrainingSetEqualsBruteForce(40, 150_000, true);
  }

  private void assertTrainingSetEqualsBruteForce(int entityCount, long budget, boolean spills) throws Exception {
    FeatureView view = FeatureView.builder("clicks").entity("user")
        .feature("row_id", INT64).feature("label", STRING).feature("added_later", STRING)
        .ttl(Duration.ofHours(24 * 5)).build();
    FeatureView before = FeatureView.builder("clicks").entity("user")
        .feature("row_id", INT64).feature("label", STRING).ttl(Duration.ofHours(24 * 5)).build();
    Random random = new Random(5);
    List<StoredRow> reference = new ArrayList<>();
    List<String> first = new ArrayList<>(List.of("user_id,event_timestamp,created_timestamp,row_id,label"));
    List<String> second =
        new ArrayList<>(List.of("user_id,event_timestamp,created_timestamp,row_id,label,added_later"));
    for (int i = 0; i < 6000; i++) {
      long user = random.nextInt(200) - 20; // negative keys too: their prefixes sort after the positive ones
      long event = BASE + random.nextInt(30 * 24) * HOUR;
      long created = event + random.nextInt(3) * HOUR;
      String label = random.nextInt(10) == 0 ? "" : "l" + i;
      boolean later = i >= 4000;
      (later ? second : first).add(user + "," + event + "," + created + "," + i + "," + label
          + (later ? ",x" + i : ""));
      reference.add(new StoredRow(EntityKey.of(user), event, created, later ? 1 : 0, i,
          new Object[] {(long) i, label.isEmpty() ? null : label, later ? "x" + i : null}));
    }
    List<String> entities = new ArrayList<>(List.of("user_id,event_timestamp"));
    List<long[]> lookups = new ArrayList<>();
    for (int i = 0; i < entityCount; i++) {
      long[] lookup = {random.nextInt(220) - 20, BASE + random.nextInt(32 * 24) * HOUR};
      lookups.add(lookup);
      entities.add(lookup[0] + "," + lookup[1]);
    }
    Path entityFile = TestFiles.csv(dir, "entities.csv", entities.toArray(String[]::new));
    List<FeatureRef> features = List.of(FeatureRef.of("clicks", "row_id"), FeatureRef.of("clicks", "label"),
        FeatureRef.of("clicks", "added_later"));
    Definitions definitions = TestFiles.definitions(view);

    Path run = dir.resolve("budget-" + budget);
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

      if (spills) {
        assertThat(result.spilledRuns()).as("runs spilled").isPositive();
      } else {
        assertThat(result.spilledRuns()).isZero();
      }
      List<Map<String, Object>> rows = TestFiles.readParquet(output);
      assertThat(rows).hasSize(lookups.size());
      int matched = 0;
      for (int i = 0; i < lookups.size(); i++) {
        StoredRow expected = PointInTimeJoinPropertyTest.bruteForce(reference, EntityKey.of(lookups.get(i)[0]),
            lookups.get(i)[1], view.ttlMicros(), false);
        Object[] values = expected == null ? new Object[3] : expected.values();
        matched += expected == null ? 0 : 1;
        assertThat(rows.get(i)).as("budget %d, entity row %d", budget, i)
            .containsEntry("row_id", values[0]).containsEntry("label", values[1])
            .containsEntry("added_later", values[2]);
      }
      assertThat(matched).as("entity rows with a match").isBetween(entityCount / 4, entityCount - 1);
    }
  }
}
