package dev.featurestore.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where every part of a feature store lives. Immutable; build with {@link #builder()} or read from the command
 * line's options (each has an environment variable, see README "Configuration").
 *
 * @param dataDir the local data directory: embedded registry file and default warehouse
 * @param registryUrl {@code embedded} for the SQLite file in {@code dataDir}, or a {@code jdbc:postgresql://} URL
 * @param onlineStore {@code hazelcast} (embedded member, the default), {@code hazelcast://host:port} (client of a
 *     running cluster), {@code redis://host:port}, {@code redis-sentinel://host:port#master} or
 *     {@code redis-cluster://host:port,host:port} (see {@link dev.featurestore.online.OnlineStores})
 * @param warehouse the Iceberg warehouse directory
 * @param host the address the server binds and clients connect to
 * @param port the gRPC port
 * @param pushLog whether the server makes pushes durable in the write-ahead log {@code <dataDir>/push-wal} and
 *     appends them to the views' Iceberg tables (the default); without it pushes are online-only
 * @param pushFlushInterval how often the push log appends what it holds to Iceberg: the most a pushed row waits
 *     before training sets see it (default 10 s)
 * @param tableCare snapshot retention, and the optional compaction/expiry schedule of {@code serve} (default off)
 * @param serverInstances how many server verticles share the port, each on its own event loop (default: one per
 *     core)
 * @param flightPort the port of the Arrow Flight service for training sets ({@code 0} picks a free one), or
 *     {@link #FLIGHT_OFF}; the builder's default is off, the {@code serve} command's is {@link #DEFAULT_FLIGHT_PORT}
 */
public record FeatureStoreConfig(
    Path dataDir,
    String registryUrl,
    String onlineStore,
    Path warehouse,
    String host,
    int port,
    boolean pushLog,
    Duration pushFlushInterval,
    TableCareConfig tableCare,
    int serverInstances,
    int flightPort) {

  public static final String EMBEDDED = "embedded";
  public static final String HAZELCAST_EMBEDDED = "hazelcast";
  public static final int DEFAULT_PORT = 6566;
  public static final Duration DEFAULT_PUSH_FLUSH_INTERVAL = Duration.ofSeconds(10);
  /** The {@code serve} command's default Flight port. */
  public static final int DEFAULT_FLIGHT_PORT = 8815;
  /** {@link #flightPort} when the server runs no Flight service. */
  public static final int FLIGHT_OFF = -1;

  public FeatureStoreConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(registryUrl, "registryUrl");
    Objects.requireNonNull(onlineStore, "onlineStore");
    Objects.requireNonNull(host, "host");
    warehouse = warehouse == null ? dataDir.resolve("warehouse") : warehouse;
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("Cannot use port " + port + ": it must be in 0..65535");
    }
    if (flightPort < FLIGHT_OFF || flightPort > 65_535) {
      throw new IllegalArgumentException("Cannot use Flight port " + flightPort + ": it must be in 0..65535, or -1 for"
          + " no Flight service");
    }
    Objects.requireNonNull(pushFlushInterval, "pushFlushInterval");
    if (pushFlushInterval.isNegative() || pushFlushInterval.isZero()) {
      throw new IllegalArgumentException(
          "Cannot use push flush interval " + pushFlushInterval + ": it must be positive");
    }
    tableCare = tableCare == null ? TableCareConfig.off() : tableCare;
    if (serverInstances < 1) {
      throw new IllegalArgumentException(
          "Cannot use " + serverInstances + " server instances: it must be 1 or more");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().dataDir(dataDir).registryUrl(registryUrl).onlineStore(onlineStore).warehouse(warehouse)
        .host(host).port(port).pushLog(pushLog).pushFlushInterval(pushFlushInterval).tableCare(tableCare)
        .serverInstances(serverInstances)
        .flightPort(flightPort);
  }

  /** The directory of the push write-ahead log: {@code <dataDir>/push-wal}. */
  public Path pushLogDir() {
    return dataDir.resolve("push-wal");
  }

  /** Whether the server runs the Arrow Flight service for training sets. */
  public boolean flight() {
    return flightPort != FLIGHT_OFF;
  }

  /** Where relative model artifact paths are resolved: {@code <data-dir>/models}. */
  public Path modelDir() {
    return dataDir.resolve("models");
  }

  /** Whether the registry is the SQLite file inside {@link #dataDir}. */
  public boolean embeddedRegistry() {
    return EMBEDDED.equals(registryUrl);
  }

  /**
   * Builds a {@link FeatureStoreConfig}; defaults are the embedded setup on 127.0.0.1:6566 in ./fs-data, with the
   * push log on.
   */
  public static final class Builder {
    private Path dataDir = Path.of("fs-data");
    private String registryUrl = EMBEDDED;
    private String onlineStore = HAZELCAST_EMBEDDED;
    private Path warehouse;
    private String host = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private boolean pushLog = true;
    private Duration pushFlushInterval = DEFAULT_PUSH_FLUSH_INTERVAL;
    private TableCareConfig tableCare = TableCareConfig.off();
    private int serverInstances = Runtime.getRuntime().availableProcessors();
    private int flightPort = FLIGHT_OFF;

    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    public Builder registryUrl(String registryUrl) {
      this.registryUrl = Objects.requireNonNull(registryUrl, "registryUrl");
      return this;
    }

    public Builder onlineStore(String onlineStore) {
      this.onlineStore = Objects.requireNonNull(onlineStore, "onlineStore");
      return this;
    }

    /** The Iceberg warehouse; null means {@code <dataDir>/warehouse}. */
    public Builder warehouse(Path warehouse) {
      this.warehouse = warehouse;
      return this;
    }

    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Whether pushes go through the durable push log into Iceberg (default) or are online-only. */
    public Builder pushLog(boolean enabled) {
      this.pushLog = enabled;
      return this;
    }

    public Builder pushFlushInterval(Duration pushFlushInterval) {
      this.pushFlushInterval = Objects.requireNonNull(pushFlushInterval, "pushFlushInterval");
      return this;
    }

    public Builder tableCare(TableCareConfig tableCare) {
      this.tableCare = Objects.requireNonNull(tableCare, "tableCare");
      return this;
    }

    /** Server verticles sharing the port, each on its own event loop; default one per core. */
    public Builder serverInstances(int serverInstances) {
      this.serverInstances = serverInstances;
      return this;
    }

    /** The Arrow Flight port for training sets, 0 for a free one, {@link #FLIGHT_OFF} (the default) for none. */
    public Builder flightPort(int flightPort) {
      this.flightPort = flightPort;
      return this;
    }

    public FeatureStoreConfig build() {
      return new FeatureStoreConfig(dataDir, registryUrl, onlineStore, warehouse, host, port, pushLog,
          pushFlushInterval, tableCare, serverInstances, flightPort);
    }
  }
}
