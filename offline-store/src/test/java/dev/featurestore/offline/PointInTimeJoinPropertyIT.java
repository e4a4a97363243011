package dev.featurestore.offline;

import static dev.featurestore.api.ValueType.INT64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The whole path (CSV ingestion in several commits, Iceberg scan, join, Parquet output) against the brute-force
 * reference of {@link PointInTimeJoinPropertyTest}, on fewer and smaller cases than the in-memory property; with
 * the default memory budget (nothing spills) and with a budget so small that every sort spills to disk.
 */
class PointInTimeJoinPropertyIT {
  private static final long HOUR = 3_600_000_000L;
  private static final long BASE = TestFiles.micros("2024-01-01T00:00:00Z");

  @Property(tries = 8)
  void trainingSet_rowsIngestedInSeveralCommits_equalsBruteForce(
      @ForAll("commits") List<List<PointInTimeJoinPropertyTest.Generated>> commits,
      @ForAll("lookups") List<PointInTimeJoinPropertyTest.Lookup> lookups,
      @ForAll("ttlHours") int ttlHours,
      @ForAll boolean asKnownAt) throws IOException {
    assertTrainingSetEqualsBruteForce(commits, lookups, ttlHours, asKnownAt, false);
  }

  @Property(tries = 8)
  void trainingSet_tinyMemoryBudget_spillsAndEqualsBruteForce(
      @ForAll("commits") List<List<PointInTimeJoinPropertyTest.Generated>> commits,
      @ForAll("lookups") List<PointInTimeJoinPropertyTest.Lookup> lookups,
      @ForAll("ttlHours") int ttlHours,
      @ForAll boolean asKnownAt) throws IOException {
    assertTrainingSetEqualsBruteForce(commits, lookups, ttlHours, asKnownAt, true);
  }

  private static void assertTrainingSetEqualsBruteForce(
      List<List<PointInTimeJoinPropertyTest.Generated>> commits,
      List<PointInTimeJoinPropertyTest.Lookup> lookups,
      int ttlHours,
      boolean asKnownAt,
      boolean spill) throws IOException {
    FeatureView view = FeatureView.builder("pair")
        .entity("user")
        .entity("merchant")
        .feature("row_id", INT64)
        .ttl(Duration.ofHours(ttlHours))
        .build();
    Definitions defs = TestFiles.definitions(view);
    Path dir = Files.createTempDirectory("pit-property");
    TrainingSetOptions options = spill
        ? TrainingSetOptions.builder().memoryBudgetBytes(1_000).spillDirectory(dir.resolve("spill")).build()
        : TrainingSetOptions.defaults();
    try (OfflineStore store = OfflineStores.local(dir.resolve("warehouse"), options)) {
      List<StoredRow> reference = new ArrayList<>();
      long rowId = 0;
      for (int c = 0; c < commits.size(); c++) {
        List<String> lines = new ArrayList<>(List.of("user_id,merchant_id,event_timestamp,created_timestamp,row_id"));
        for (int p = 0; p < commits.get(c).size(); p++) {
          PointInTimeJoinPropertyTest.Generated g = commits.get(c).get(p);
          long event = BASE + g.event() * HOUR;
          long created = BASE + g.created() * HOUR;
          lines.add(g.user() + "," + g.merchant() + "," + event + "," + created + "," + rowId);
          reference.add(new StoredRow(
              EntityKey.of((long) g.user(), g.merchant()), event, created, c, p, new Object[] {rowId}));
          rowId++;
        }
        if (lines.size() > 1) {
          store.ingest(defs, "pair", TestFiles.csv(dir, "commit" + c + ".csv", lines.toArray(String[]::new)),
              ProgressListener.NONE);
        }
      }
      List<String> entityLines = new ArrayList<>(List.of("user_id,merchant_id,event_timestamp"));
      for (PointInTimeJoinPropertyTest.Lookup lookup : lookups) {
        entityLines.add(lookup.user() + "," + lookup.merchant() + "," + (BASE + lookup.t() * HOUR));
      }
      Path output = dir.resolve("out.parquet");
      TrainingSetRequest request = TrainingSetRequest.forFeatures(
          TestFiles.csv(dir, "entities.csv", entityLines.toArray(String[]::new)),
          List.of(FeatureRef.of("pair", "row_id")), output);
      TrainingSetResult result = store.trainingSet(defs, asKnownAt
          ? request.withVisibility(TrainingSetRequest.Visibility.AS_KNOWN_AT) : request, ProgressListener.NONE);

      if (spill && lookups.size() > 10) {
        assertThat(result.spilledRuns()).as("spilled runs").isPositive();
        try (Stream<Path> left = Files.list(dir.resolve("spill"))) {
          assertThat(left).as("run files left behind").isEmpty();
        }
      } else if (!spill) {
        assertThat(result.spilledRuns()).isZero();
      }

      List<Map<String, Object>> rows = TestFiles.readParquet(output);
      assertThat(rows).hasSize(lookups.size());
      for (int i = 0; i < lookups.size(); i++) {
        PointInTimeJoinPropertyTest.Lookup lookup = lookups.get(i);
        StoredRow expected = PointInTimeJoinPropertyTest.bruteForce(reference,
            EntityKey.of((long) lookup.user(), lookup.merchant()), BASE + lookup.t() * HOUR, ttlHours * HOUR,
            asKnownAt);
        assertThat(rows.get(i).get("row_id"))
            .as("entity row %d: %s", i, lookup)
            .isEqualTo(expected == null ? null : expected.values()[0]);
      }
    } finally {
      deleteRecursively(dir);
    }
  }

  @Provide
  Arbitrary<List<List<PointInTimeJoinPropertyTest.Generated>>> commits() {
    Arbitrary<PointInTimeJoinPropertyTest.Generated> row = Combinators.combine(
            Arbitraries.integers().between(0, 2),
            Arbitraries.of("a", "b"),
            Arbitraries.longs().between(0, 30),
            Arbitraries.longs().between(0, 40),
            Arbitraries.just(0))
        .as(PointInTimeJoinPropertyTest.Generated::new);
    return row.list().ofMaxSize(15).list().ofMinSize(1).ofMaxSize(3);
  }

  @Provide
  Arbitrary<List<PointInTimeJoinPropertyTest.Lookup>> lookups() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 3), Arbitraries.of("a", "b", "c"), Arbitraries.longs().between(-2, 42))
        .as(PointInTimeJoinPropertyTest.Lookup::new)
        .list().ofMinSize(1).ofMaxSize(25);
  }

  @Provide
  Arbitrary<Integer> ttlHours() {
    return Arbitraries.of(0, 1, 5, 30);
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
