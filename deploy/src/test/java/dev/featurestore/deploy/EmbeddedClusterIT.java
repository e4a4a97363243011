package dev.featurestore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.deploy.quickstart.ExampleData;
import dev.featurestore.deploy.quickstart.ExampleRepo;
import dev.featurestore.deploy.server.FeatureServer;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.sdk.DefinitionsYaml;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default across processes: the server holds the online data in its Hazelcast member, and a separate
 * command-line run (materialize) reaches it as a client of that member's cluster, given the same --online-store.
 */
class EmbeddedClusterIT {

  private static String run(int expectedExit, String... args) {
    FstoreRun run = FstoreRun.of(List.of(), args);
    assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run.err()).isEqualTo(expectedExit);
    return run.out();
  }

  @Test
  void materialize_fromCommandLine_reachesServersEmbeddedMember(@TempDir Path dir) {
    String online = "hazelcast:embedded?cluster=cli-" + UUID.randomUUID().toString().substring(0, 8)
        + "&port=" + RedisServerProcess.freePort();
    String data = dir.resolve("data").toString();
    Path yaml = dir.resolve("repo.yaml");
    DefinitionsYaml.write(ExampleRepo.definitions(), yaml);
    Path users = dir.resolve("user_stats.csv");
    new ExampleData(Instant.now()).writeUserStats(users);
    run(0, "apply", "-f", yaml.toString(), "--data-dir", data);
    run(0, "ingest", "-v", "user_stats", users.toString(), "--data-dir", data);

    try (FeatureServer server = FeatureServer.start(FeatureStoreConfig.builder().dataDir(dir.resolve("data"))
        .onlineStore(online).port(0).build())) {
      String port = String.valueOf(server.port());
      String materialized = run(0, "materialize", "-v", "user_stats", "--data-dir", data, "--online-store", online);
      assertThat(materialized).contains(String.format("materialized 'user_stats': %,d keys", ExampleData.USERS));

      String read = run(0, "get-online", "-f", "user_stats:country", "-e", "user_id=3", "--port", port,
          "--data-dir", data);
      assertThat(read).containsPattern("country\\s+\\S+\\s+PRESENT");
    }
  }
}
