package dev.featurestore.offline;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Options of the training-set Flight service. Immutable; build with {@link #builder()}.
 */
public final class FlightServiceOptions {
  /** The default port of the Flight service, beside the gRPC/HTTP port 6566. */
  public static final int DEFAULT_PORT = 8815;

  private final String host;
  private final int port;
  private final int workers;
  private final Path uploadDirectory;
  private final Duration uploadRetention;

  private FlightServiceOptions(Builder builder) {
    this.host = builder.host;
    this.port = builder.port;
    this.workers = builder.workers;
    this.uploadDirectory = builder.uploadDirectory;
    this.uploadRetention = builder.uploadRetention;
  }

  /** 127.0.0.1:8815, 4 workers, uploads in {@code java.io.tmpdir}/fstore-flight-uploads kept 1 hour. */
  public static FlightServiceOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().host(host).port(port).workers(workers).uploadDirectory(uploadDirectory)
        .uploadRetention(uploadRetention);
  }

  public String host() {
    return host;
  }

  /** The port to listen on; 0 picks a free one ({@link TrainingSetFlightService#port()} tells which). */
  public int port() {
    return port;
  }

  /** Threads that run Flight calls (and so training-set joins) at once; further calls wait for one. */
  public int workers() {
    return workers;
  }

  /** Where uploaded entity tables wait for their DoGet, as Parquet files. */
  public Path uploadDirectory() {
    return uploadDirectory;
  }

  /** How long an uploaded entity table stays available for DoGet after its upload. */
  public Duration uploadRetention() {
    return uploadRetention;
  }

  /** Builds {@link FlightServiceOptions}; not thread-safe. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private int workers = 4;
    private Path uploadDirectory = Path.of(System.getProperty("java.io.tmpdir"), "fstore-flight-uploads");
    private Duration uploadRetention = Duration.ofHours(1);

    private Builder() {}

    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("Cannot use Flight port " + port + ": it must be 0 to 65535");
      }
      this.port = port;
      return this;
    }

    public Builder workers(int workers) {
      if (workers < 1) {
        throw new IllegalArgumentException("Cannot use " + workers + " Flight workers: at least 1 is needed");
      }
      this.workers = workers;
      return this;
    }

    public Builder uploadDirectory(Path directory) {
      this.uploadDirectory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
      return this;
    }

    public Builder uploadRetention(Duration retention) {
      Objects.requireNonNull(retention, "retention");
      if (retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException("Cannot keep uploads for " + retention + ": it must be positive");
      }
      this.uploadRetention = retention;
      return this;
    }

    public FlightServiceOptions build() {
      return new FlightServiceOptions(this);
    }
  }
}
