package dev.featurestore.deploy.cli;

import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.deploy.TableCareConfig;
import dev.featurestore.offline.RetentionPolicy;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The configuration options every command shares; each falls back to an environment variable, then a default. */
public final class ConfigOptions {
  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:FSTORE_DATA_DIR:-fs-data}",
      description = "Local data directory: embedded registry and default Iceberg warehouse (env FSTORE_DATA_DIR, "
          + "default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--registry", paramLabel = "URL", defaultValue = "${env:FSTORE_REGISTRY:-embedded}",
      description = "Registry: 'embedded' (SQLite file in the data directory) or a jdbc:postgresql:// URL "
          + "(env FSTORE_REGISTRY, default: ${DEFAULT-VALUE}).")
  String registry;

  @Option(names = "--online-store", paramLabel = "URI", defaultValue = "${env:FSTORE_ONLINE_STORE:-hazelcast}",
      description = "Online store: 'hazelcast' (embedded member), hazelcast://host:port (client of a cluster), "
          + "redis://host:port, redis-sentinel://host:port#master or redis-cluster://host:port,host:port; "
          + "?expiryGrace=2h sets how long stale rows are kept (env FSTORE_ONLINE_STORE, default: ${DEFAULT-VALUE}).")
  String onlineStore;

  @Option(names = "--warehouse", paramLabel = "DIR", defaultValue = "${env:FSTORE_WAREHOUSE}",
      description = "Iceberg warehouse directory (env FSTORE_WAREHOUSE, default: <data-dir>/warehouse).")
  Path warehouse;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "${env:FSTORE_HOST:-127.0.0.1}",
      description = "Server address to bind (serve) or to call (env FSTORE_HOST, default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:FSTORE_PORT:-6566}",
      description = "Server port for gRPC and HTTP/JSON (env FSTORE_PORT, default: ${DEFAULT-VALUE}).")
  int port;

  /** The values of an on/off option. */
  enum Switch { on, off }

  @Option(names = "--push-log", paramLabel = "on|off", defaultValue = "${env:FSTORE_PUSH_LOG:-on}",
      description = "serve: make pushes durable in the write-ahead log <data-dir>/push-wal before acknowledging "
          + "them and append them to the views' Iceberg tables; 'off' keeps pushes online-only "
          + "(env FSTORE_PUSH_LOG, default: ${DEFAULT-VALUE}).")
  Switch pushLog;

  @Option(names = "--push-flush-interval", paramLabel = "DURATION",
      defaultValue = "${env:FSTORE_PUSH_FLUSH_INTERVAL:-PT10S}",
      description = "serve: how often the push log appends pushed rows to Iceberg, ISO-8601 (PT10S, PT1M) "
          + "(env FSTORE_PUSH_FLUSH_INTERVAL, default: ${DEFAULT-VALUE}).")
  java.time.Duration pushFlushInterval;

  @Option(names = "--table-care-interval", paramLabel = "DURATION",
      defaultValue = "${env:FSTORE_TABLE_CARE_INTERVAL:-PT0S}",
      description = "serve: how often to compact every view's table and expire its old snapshots, ISO-8601 (PT1H); "
          + "PT0S turns it off (env FSTORE_TABLE_CARE_INTERVAL, default: ${DEFAULT-VALUE}, off).")
  java.time.Duration tableCareInterval;

  @Option(names = "--snapshot-max-age", paramLabel = "DURATION",
      defaultValue = "${env:FSTORE_SNAPSHOT_MAX_AGE:-P7D}",
      description = "serve and expire-snapshots: keep every snapshot younger than this, ISO-8601 "
          + "(env FSTORE_SNAPSHOT_MAX_AGE, default: ${DEFAULT-VALUE}).")
  java.time.Duration snapshotMaxAge;

  @Option(names = "--snapshot-retain-last", paramLabel = "N",
      defaultValue = "${env:FSTORE_SNAPSHOT_RETAIN_LAST:-10}",
      description = "serve and expire-snapshots: keep the last N snapshots however old "
          + "(env FSTORE_SNAPSHOT_RETAIN_LAST, default: ${DEFAULT-VALUE}).")
  int snapshotRetainLast;

  @Option(names = "--server-instances", paramLabel = "N", defaultValue = "${env:FSTORE_SERVER_INSTANCES:-0}",
      description = "serve: server verticles sharing the port, each on its own event loop; 0 means one per core "
          + "(env FSTORE_SERVER_INSTANCES, default: ${DEFAULT-VALUE}).")
  int serverInstances;

  @Option(names = "--flight-port", paramLabel = "PORT", defaultValue = "${env:FSTORE_FLIGHT_PORT:-8815}",
      description = "serve: port of the Arrow Flight service for training sets (DoPut entities, DoGet the training "
          + "set); -1 runs none (env FSTORE_FLIGHT_PORT, default: ${DEFAULT-VALUE}).")
  int flightPort;

  public FeatureStoreConfig toConfig() {
    return FeatureStoreConfig.builder()
        .dataDir(dataDir)
        .registryUrl(registry)
        .onlineStore(onlineStore)
        .warehouse(warehouse)
        .host(host)
        .port(port)
        .pushLog(pushLog == Switch.on)
        .pushFlushInterval(pushFlushInterval)
        .tableCare(new TableCareConfig(tableCareInterval, new RetentionPolicy(snapshotMaxAge, snapshotRetainLast)))
        .serverInstances(serverInstances == 0 ? Runtime.getRuntime().availableProcessors() : serverInstances)
        .flightPort(flightPort)
        .build();
  }
}
