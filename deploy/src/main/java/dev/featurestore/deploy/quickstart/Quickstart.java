package dev.featurestore.deploy.quickstart;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.deploy.server.FeatureServer;
import dev.featurestore.offline.IngestResult;
import dev.featurestore.offline.MaterializeResult;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.offline.OfflineStores;
import dev.featurestore.offline.ProgressListener;
import dev.featurestore.offline.TableFiles;
import dev.featurestore.offline.TrainingSetRequest;
import dev.featurestore.offline.TrainingSetResult;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.inference.OnnxModels;
import dev.featurestore.registry.ApplyResult;
import dev.featurestore.registry.Plan;
import dev.featurestore.registry.Registries;
import dev.featurestore.registry.Registry;
import dev.featurestore.sdk.BlockingFeatureStoreClient;
import dev.featurestore.sdk.DefinitionsYaml;
import dev.featurestore.sdk.FeatureRepo;
import dev.featurestore.sdk.FeatureStatus;
import dev.featurestore.sdk.OnlineRequest;
import dev.featurestore.sdk.OnlineResponse;
import dev.featurestore.sdk.PredictionRequest;
import dev.featurestore.sdk.Predictions;
import dev.featurestore.sdk.PushRow;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The whole path on the embedded default, in one process: declare, apply, ingest, train, serve, materialize, read
 * over gRPC, push, and score with a model the quickstart writes itself. Everything it writes stays in its directory.
 */
public final class Quickstart {
  private final Path dir;
  private final PrintWriter out;
  private final Clock clock;

  /** What the quickstart did, for its smoke test. */
  public record Result(
      long registryVersion,
      Map<String, Long> ingestedRows,
      long trainingRows,
      long trainingRowsWithAllFeatures,
      long keysMaterialized,
      Map<FeatureStatus, Integer> onlineStatuses,
      Object pushedValueReadBack,
      List<Double> scores) {}

  public Quickstart(Path dir, PrintWriter out, Clock clock) {
    this.dir = dir;
    this.out = out;
    this.clock = clock;
  }

  public Result run() {
    resetDirectory();
    Definitions definitions = ExampleRepo.definitions();
    Path yaml = dir.resolve("feature_repo.yaml");
    DefinitionsYaml.write(definitions, yaml);
    step("1. Declared %d entities, %d feature views and %d feature service with the Java SDK; wrote %s",
        definitions.entities().size(), definitions.featureViews().size(), definitions.featureServices().size(), yaml);

    long version;
    try (Registry registry = Registries.embedded(dir)) {
      Plan plan = registry.plan(DefinitionsYaml.read(yaml));
      ApplyResult applied = registry.apply(DefinitionsYaml.read(yaml), plan.baseVersion());
      version = applied.snapshot().version();
      step("2. Planned %d additions and applied them as registry version %d (%s)",
          plan.changes().size(), version, dir.resolve("registry.db"));
    }

    ExampleData data = new ExampleData(clock.instant());
    Map<String, Path> history = new LinkedHashMap<>();
    history.put(ExampleRepo.USER_STATS, dir.resolve("user_stats.csv"));
    history.put(ExampleRepo.MERCHANT_STATS, dir.resolve("merchant_stats.csv"));
    history.put(ExampleRepo.USER_MERCHANT_STATS, dir.resolve("user_merchant_stats.csv"));
    data.writeUserStats(history.get(ExampleRepo.USER_STATS));
    data.writeMerchantStats(history.get(ExampleRepo.MERCHANT_STATS));
    data.writeUserMerchantStats(history.get(ExampleRepo.USER_MERCHANT_STATS));
    Path entities = dir.resolve("entities.csv");
    data.writeEntities(entities);

    Map<String, Long> ingested = new LinkedHashMap<>();
    long trainingRows;
    long complete;
    try (OfflineStore offline = OfflineStores.local(dir.resolve("warehouse"))) {
      for (Map.Entry<String, Path> file : history.entrySet()) {
        IngestResult result = offline.ingest(definitions, file.getKey(), file.getValue(), ProgressListener.NONE);
        ingested.put(file.getKey(), result.rows());
        step("3. Ingested %,d rows of %s into Iceberg table features.%s in %.2f s (snapshot %d)",
            result.rows(), file.getValue().getFileName(), file.getKey(), result.seconds(), result.snapshotId());
      }

      Path trainingSet = dir.resolve("training_set.parquet");
      TrainingSetResult training = offline.trainingSet(definitions,
          TrainingSetRequest.forService(entities, ExampleRepo.FRAUD_MODEL, trainingSet), ProgressListener.NONE);
      List<Map<String, Object>> rows = TableFiles.read(trainingSet);
      trainingRows = training.rows();
      complete = rows.stream().filter(row -> !row.containsValue(null)).count();
      step("4. Built a point-in-time training set for '%s': %,d rows (%,d with every feature) in %.2f s -> %s",
          ExampleRepo.FRAUD_MODEL, training.rows(), complete, training.seconds(), trainingSet);
      rows.stream().limit(3).forEach(row -> out.println("     " + row));

      String cluster = "fstore-quickstart-" + UUID.randomUUID().toString().substring(0, 8);
      FeatureStoreConfig config = FeatureStoreConfig.builder().dataDir(dir).port(0).build();
      try (FeatureServer server = FeatureServer.start(config, Registries.embedded(dir),
          OnlineStores.open("hazelcast:embedded?cluster=" + cluster), clock)) {
        step("5. Started the server: gRPC on 127.0.0.1:%d, online store an embedded Hazelcast member",
            server.port());

        long keys = 0;
        long start = micros(data.start().minus(Duration.ofDays(1)));
        long end = micros(data.end().plus(Duration.ofHours(1)));
        for (FeatureView view : definitions.featureViews()) {
          MaterializeResult result = offline.materialize(definitions, view.name(), start, end,
              server.onlineStore(), ProgressListener.NONE);
          keys += result.keysWritten();
        }
        step("6. Materialized %,d keys (newest row per key) from Iceberg to the online store", keys);

        try (BlockingFeatureStoreClient client = BlockingFeatureStoreClient.connect("127.0.0.1", server.port())) {
          List<Map<String, Object>> entityRows = List.of(
              Map.of("user_id", 1L, "merchant_id", 1L),
              Map.of("user_id", 2L, "merchant_id", 7L),
              Map.of("user_id", 999_999L, "merchant_id", 3L));
          OnlineResponse response = client.getOnlineFeatures(
              OnlineRequest.ofService(ExampleRepo.FRAUD_MODEL).withEntityRows(entityRows));
          step("7. Read '%s' for %d entity rows over gRPC:", ExampleRepo.FRAUD_MODEL, entityRows.size());
          Map<FeatureStatus, Integer> statuses = new EnumMap<>(FeatureStatus.class);
          for (int i = 0; i < response.size(); i++) {
            for (String name : response.featureNames()) {
              OnlineResponse.FeatureValue value = response.feature(i, name);
              statuses.merge(value.status(), 1, Integer::sum);
              out.printf("     %-36s %-16s %-14s %s%n", entityRows.get(i), name,
                  value.value() == null ? "-" : value.value(), value.status());
            }
          }

          long now = micros(clock.instant());
          client.push(ExampleRepo.USER_STATS, List.of(PushRow.of(Map.of("user_id", 1L),
              Map.of("txn_count_7d", 41L, "avg_amount_7d", 19.5, "country", "DE"), now)));
          Object readBack = client.getOnlineFeatures(OnlineRequest.ofFeatures("user_stats:txn_count_7d")
              .withEntityRow(Map.of("user_id", 1L))).value(0, "txn_count_7d");
          step("8. Pushed a fresh row for user 1 and read it back at once: txn_count_7d = %s", readBack);

          List<Double> scores = predict(client, definitions, config.modelDir(), entityRows);
          // The embedded online store lived in this process's Hazelcast member: a new server starts with it empty.
          step("Done. Everything is in %s; start a server on it with: bin/fstore serve --data-dir %s, then, as its"
              + " online store starts empty, fill it from the offline tier with: bin/fstore materialize --data-dir %s",
              dir, dir, dir);
          return new Result(version, ingested, trainingRows, complete, keys, statuses, readBack, scores);
        }
      }
    }
  }

  /** Writes a logistic regression over the fraud model's features, applies it through the server and scores. */
  private List<Double> predict(BlockingFeatureStoreClient client, Definitions definitions, Path modelDir,
      List<Map<String, Object>> entityRows) {
    Path file = modelDir.resolve("fraud_lr_1.onnx");
    String sha256 = OnnxModels.write(file,
        OnnxModels.logisticRegression("x", "score", new float[] {0.08f, 0.01f, 30f, -0.05f}, -3f));
    Model model = new Model("fraud_lr", 1, file.getFileName().toString(), sha256, ExampleRepo.FRAUD_MODEL, List.of(
        ModelInput.of("user_stats:txn_count_7d", "x", ValueType.INT64, 0),
        ModelInput.of("user_stats:avg_amount_7d", "x", ValueType.DOUBLE, 0),
        ModelInput.of("merchant_stats:fraud_rate_30d", "x", ValueType.DOUBLE, 0.01),
        ModelInput.of("user_merchant_stats:txn_count_30d", "x", ValueType.INT64, 0)),
        "score", "Logistic regression written by OnnxModels");
    long applied = client.apply(FeatureRepo.builder(definitions).model(model).build()).version();
    PredictionRequest request = PredictionRequest.ofModel("fraud_lr");
    for (Map<String, Object> row : entityRows) {
      request = request.withRow(row);
    }
    Predictions predictions = client.predict(request);
    step("9. Wrote a logistic regression to %s, applied it as model fraud_lr version %d (registry version %d) and"
        + " scored %d rows over gRPC (features fetched by the server):", file, predictions.modelVersion(), applied,
        predictions.rows().size());
    List<Double> scores = new ArrayList<>();
    for (int i = 0; i < entityRows.size(); i++) {
      Predictions.Scored scored = predictions.rows().get(i);
      scores.add(scored.score());
      out.printf("     %-36s score %.4f  defaulted %s%n", entityRows.get(i), scored.score(), scored.defaulted());
    }
    return scores;
  }

  private void step(String format, Object... args) {
    out.printf(format + "%n", args);
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  private void resetDirectory() {
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> paths = Files.walk(dir)) {
          for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(path);
          }
        }
      }
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the quickstart directory " + dir, e);
    }
  }
}
