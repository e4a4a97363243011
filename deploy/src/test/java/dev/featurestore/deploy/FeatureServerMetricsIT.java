package dev.featurestore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.deploy.quickstart.ExampleRepo;
import dev.featurestore.deploy.server.FeatureServer;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.sdk.DefinitionsYaml;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fstore serve}'s {@code GET /metrics}: the online server's meters, counting a read made through the command
 * line's SDK client, beside the JVM's and the process's own.
 */
class FeatureServerMetricsIT {

  @Test
  void metrics_countAReadOverGrpc_besideTheJvmMeters(@TempDir Path dir) throws Exception {
    String online = "hazelcast:embedded?cluster=metrics-" + UUID.randomUUID().toString().substring(0, 8)
        + "&port=" + RedisServerProcess.freePort();
    String data = dir.resolve("data").toString();
    Path yaml = dir.resolve("repo.yaml");
    DefinitionsYaml.write(ExampleRepo.definitions(), yaml);
    FstoreRun apply = FstoreRun.of(List.of(), "apply", "-f", yaml.toString(), "--data-dir", data);
    assertThat(apply.exitCode()).as(apply.err()).isZero();

    try (FeatureServer server = FeatureServer.start(FeatureStoreConfig.builder().dataDir(dir.resolve("data"))
        .onlineStore(online).port(0).build())) {
      FstoreRun read = FstoreRun.of(List.of(), "get-online", "-f", "user_stats:country", "-e", "user_id=3",
          "--port", String.valueOf(server.port()), "--data-dir", data);
      assertThat(read.exitCode()).as(read.err()).isZero();

      HttpResponse<String> metrics = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
              .timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .contains("fstore_online_requests_seconds_count{call=\"get_online_features\",protocol=\"grpc\","
              + "status=\"OK\"} 1")
          .contains("fstore_online_entity_rows_sum 1")
          .contains("jvm_memory_used_bytes{")
          .contains("jvm_gc_")
          .contains("process_files_open_files")
          .contains("process_uptime_seconds");
    }
  }
}
