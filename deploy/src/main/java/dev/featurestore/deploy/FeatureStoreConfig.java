package dev.featurestore.deploy;

import java.nio.file.Path;
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
 */
public record FeatureStoreConfig(
    Path dataDir, String registryUrl, String onlineStore, Path warehouse, String host, int port) {

  public static final String EMBEDDED = "embedded";
  public static final String HAZELCAST_EMBEDDED = "hazelcast";
  public static final int DEFAULT_PORT = 6566;

  public FeatureStoreConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(registryUrl, "registryUrl");
    Objects.requireNonNull(onlineStore, "onlineStore");
    Objects.requireNonNull(host, "host");
    warehouse = warehouse == null ? dataDir.resolve("warehouse") : warehouse;
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("Cannot use port " + port + ": it must be in 0..65535");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().dataDir(dataDir).registryUrl(registryUrl).onlineStore(onlineStore).warehouse(warehouse)
        .host(host).port(port);
  }

  /** Whether the registry is the SQLite file inside {@link #dataDir}. */
  public boolean embeddedRegistry() {
    return EMBEDDED.equals(registryUrl);
  }

  /** Builds a {@link FeatureStoreConfig}; defaults are the embedded setup on 127.0.0.1:6566 in ./fs-data. */
  public static final class Builder {
    private Path dataDir = Path.of("fs-data");
    private String registryUrl = EMBEDDED;
    private String onlineStore = HAZELCAST_EMBEDDED;
    private Path warehouse;
    private String host = "127.0.0.1";
    private int port = DEFAULT_PORT;

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

    public FeatureStoreConfig build() {
      return new FeatureStoreConfig(dataDir, registryUrl, onlineStore, warehouse, host, port);
    }
  }
}
