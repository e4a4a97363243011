package dev.featurestore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.deploy.cli.FstoreCommand;
import dev.featurestore.deploy.quickstart.ExampleData;
import dev.featurestore.deploy.quickstart.ExampleRepo;
import dev.featurestore.deploy.server.FeatureServer;
import dev.featurestore.offline.TableFiles;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.sdk.DefinitionsYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line end to end, as an operator runs it: apply a YAML file, ingest, build a training set, then against
 * a running server on a real Redis: materialize, push and read over gRPC. The steps build on each other, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CommandLineIT {
  private Path dir;

  private RedisServerProcess redis;
  private FeatureServer server;
  private Path dataDir;
  private ExampleData data;


  @BeforeAll
  void setUp(@TempDir Path tempDir) {
    dir = tempDir;
    redis = RedisServerProcess.start();
    dataDir = dir.resolve("data");
    data = new ExampleData(Instant.now());
  }

  @AfterAll
  void tearDown() {
    if (server != null) {
      server.close();
    }
    redis.close();
  }

  private FstoreRun run(String... args) {
    List<String> options = new ArrayList<>(List.of("--data-dir", dataDir.toString(), "--online-store", redis.uri()));
    if (server != null) {
      options.addAll(List.of("--port", String.valueOf(server.port())));
    }
    return FstoreRun.of(options, args);
  }

  @Test
  @Order(1)
  void help_everyCommand_describesIt() {
    for (String command : List.of("serve", "plan", "apply", "ingest", "training-set", "materialize", "push",
        "get-online", "quickstart")) {
      FstoreRun run = run(command, "--help");
      assertThat(run.exitCode()).as(command).isZero();
      assertThat(run.out()).as(command).contains("Usage: fstore " + command).contains("--help");
    }
  }

  @Test
  @Order(2)
  void planAndApply_yamlFile_storesVersionOne() {
    Path yaml = dir.resolve("repo.yaml");
    DefinitionsYaml.write(ExampleRepo.definitions(), yaml);

    FstoreRun plan = run("plan", "-f", yaml.toString());
    assertThat(plan.exitCode()).isZero();
    assertThat(plan.out()).contains("Changes against registry version 0")
        .contains("+ feature view user_stats").contains("+ feature service fraud_model");

    FstoreRun apply = run("apply", "-f", yaml.toString());
    assertThat(apply.exitCode()).isZero();
    assertThat(apply.out()).contains("Applied as registry version 1");
    assertThat(run("plan", "-f", yaml.toString()).out()).contains("No changes");
  }

  @Test
  @Order(3)
  void apply_featureTypeChanged_isRefusedNamingViewAndFieldAndKeepsVersion() throws IOException {
    Path yaml = dir.resolve("changed.yaml");
    String text = DefinitionsYaml.write(ExampleRepo.definitions());
    String changed = text.replaceFirst("(name: txn_count_7d[^\\n]*\\n?\\s*type: )INT64|"
        + "(\\{name: txn_count_7d, type: )INT64", "$1$2STRING");
    assertThat(changed).isNotEqualTo(text);
    Files.writeString(yaml, changed);

    FstoreRun apply = run("apply", "-f", yaml.toString());
    assertThat(apply.exitCode()).isEqualTo(FstoreCommand.EXIT_REFUSED);
    assertThat(apply.err()).contains("feature view 'user_stats'").contains("'txn_count_7d'")
        .contains("INT64").contains("STRING");
    FstoreRun plan = run("plan", "-f", dir.resolve("repo.yaml").toString());
    assertThat(plan.out()).contains("No changes: the registry (version 1)");
  }

  @Test
  @Order(4)
  void ingest_goodAndBadFiles_commitsOnlyTheGoodOne() throws IOException {
    Path users = dir.resolve("user_stats.csv");
    long rows = data.writeUserStats(users);
    data.writeMerchantStats(dir.resolve("merchant_stats.csv"));
    data.writeUserMerchantStats(dir.resolve("user_merchant_stats.csv"));

    FstoreRun ingest = run("ingest", "--view", "user_stats", users.toString());
    assertThat(ingest.exitCode()).isZero();
    assertThat(ingest.out()).contains(String.format("ingested %,d rows into 'user_stats'", rows));
    assertThat(run("ingest", "-v", "merchant_stats", dir.resolve("merchant_stats.csv").toString()).exitCode())
        .isZero();
    assertThat(run("ingest", "-v", "user_merchant_stats", dir.resolve("user_merchant_stats.csv").toString())
        .exitCode()).isZero();

    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "user_id,event_timestamp,txn_count_7d\n1,2026-11-01T00:00:00Z,3\n2,2026-11-01T00:00:00Z,"
        + "many\n");
    FstoreRun refused = run("ingest", "-v", "user_stats", bad.toString());
    assertThat(refused.exitCode()).isEqualTo(FstoreCommand.EXIT_REFUSED);
    assertThat(refused.err()).contains("row 2").contains("column 'txn_count_7d'").contains("'many'");
  }

  @Test
  @Order(5)
  void trainingSet_featureService_keepsEveryEntityRow() {
    Path entities = dir.resolve("entities.csv");
    data.writeEntities(entities);
    Path output = dir.resolve("training.parquet");

    FstoreRun run = run("training-set", "-e", entities.toString(), "-s", "fraud_model", "-o", output.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains(String.format("wrote %,d rows", ExampleData.ENTITY_ROWS));
    var rows = TableFiles.read(output);
    assertThat(rows).hasSize(ExampleData.ENTITY_ROWS);
    assertThat(rows.get(0).keySet()).containsExactly("user_id", "merchant_id", "event_timestamp", "is_fraud",
        "txn_count_7d", "avg_amount_7d", "country", "fraud_rate_30d", "txn_count_30d");
  }

  @Test
  @Order(6)
  void materializePushAndGetOnline_againstRunningServerOnRedis() throws IOException {
    server = FeatureServer.start(FeatureStoreConfig.builder().dataDir(dataDir).onlineStore(redis.uri()).port(0)
        .build());

    FstoreRun materialize = run("materialize", "--start", "now-30d", "--end", "now+1h");
    assertThat(materialize.exitCode()).as(materialize.err()).isZero();
    assertThat(materialize.out()).contains(String.format("materialized 'user_stats': %,d keys", ExampleData.USERS));

    FstoreRun read = run("get-online", "-s", "fraud_model", "-e", "user_id=1,merchant_id=1", "-e",
        "user_id=424242,merchant_id=1");
    assertThat(read.exitCode()).as(read.err()).isZero();
    assertThat(read.out()).contains("PRESENT").contains("NOT_FOUND");

    Path rows = dir.resolve("push.jsonl");
    Files.writeString(rows, "{\"user_id\": 424242, \"txn_count_7d\": 77, \"avg_amount_7d\": 1.5, "
        + "\"event_timestamp\": \"" + Instant.now() + "\"}\n");
    FstoreRun push = run("push", "-v", "user_stats", rows.toString());
    assertThat(push.exitCode()).as(push.err()).isZero();
    assertThat(push.out()).contains("pushed 1 rows to 'user_stats'");
    FstoreRun after = run("get-online", "-f", "user_stats:txn_count_7d,user_stats:country", "-e", "user_id=424242");
    assertThat(after.out()).containsPattern("txn_count_7d\\s+77\\s+PRESENT").containsPattern("country\\s+-\\s+NULL_VALUE");
  }

  @Test
  @Order(7)
  void getOnlineAndPush_badInput_exitRefusedNamingTheOffender() throws IOException {
    FstoreRun unknownView = run("get-online", "-f", "nope:x", "-e", "user_id=1");
    assertThat(unknownView.exitCode()).isEqualTo(FstoreCommand.EXIT_REFUSED);
    assertThat(unknownView.err()).contains("'nope'");

    Path rows = dir.resolve("bad-push.jsonl");
    Files.writeString(rows, "{\"user_id\": 5005, \"txn_count_7d\": 1, \"event_timestamp\": 1}\n"
        + "{\"user_id\": 5006, \"txn_count_7d\": \"lots\", \"event_timestamp\": 1}\n");
    FstoreRun push = run("push", "-v", "user_stats", rows.toString());
    assertThat(push.exitCode()).isEqualTo(FstoreCommand.EXIT_REFUSED);
    assertThat(push.err()).contains("line 2").contains("txn_count_7d").contains("'lots'");
    FstoreRun read = run("get-online", "-f", "user_stats:txn_count_7d", "-e", "user_id=5005");
    assertThat(read.out()).contains("NOT_FOUND");
  }

  @Test
  @Order(8)
  void planAndApply_remote_goThroughTheServersRegistry() throws IOException {
    FstoreRun plan = run("plan", "--remote", "-f", dir.resolve("repo.yaml").toString());
    assertThat(plan.exitCode()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("No changes: the registry (version 1)");

    Path yaml = dir.resolve("longer-ttl.yaml");
    String text = DefinitionsYaml.write(ExampleRepo.definitions());
    String changed = text.replace("ttl: 2d", "ttl: 3d");
    assertThat(changed).isNotEqualTo(text);
    Files.writeString(yaml, changed);
    FstoreRun apply = run("apply", "--remote", "-f", yaml.toString());

    assertThat(apply.exitCode()).as(apply.err()).isZero();
    assertThat(apply.out()).contains("~ feature view user_stats").contains("ttl: PT48H -> PT72H")
        .contains("Applied as registry version 2");
    assertThat(server.registry().current().version()).isEqualTo(2);
  }
}
