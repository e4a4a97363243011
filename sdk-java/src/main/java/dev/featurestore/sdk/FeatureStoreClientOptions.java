package dev.featurestore.sdk;

import dev.featurestore.api.error.InvalidRequestException;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link FeatureStoreClient} connects: the server's address, the timeout of blocking calls, the largest
 * response accepted and, optionally, a Vert.x instance to run on (otherwise the client owns one). Immutable; build
 * with {@link #builder(String, int)}.
 */
public final class FeatureStoreClientOptions {
  /** The default timeout of a blocking call. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** The default largest response message: a batch of a few thousand entities with dozens of features. */
  public static final long DEFAULT_MAX_MESSAGE_BYTES = 64L * 1024 * 1024;

  private final String host;
  private final int port;
  private final Duration timeout;
  private final long maxMessageBytes;
  private final Vertx vertx;

  private FeatureStoreClientOptions(Builder builder) {
    this.host = builder.host;
    this.port = builder.port;
    this.timeout = builder.timeout;
    this.maxMessageBytes = builder.maxMessageBytes;
    this.vertx = builder.vertx;
  }

  public static Builder builder(String host, int port) {
    return new Builder().address(host, port);
  }

  public Builder toBuilder() {
    Builder builder = new Builder().address(host, port).timeout(timeout).maxMessageBytes(maxMessageBytes);
    builder.vertx = vertx;
    return builder;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** How long a blocking call waits before it cancels the call. */
  public Duration timeout() {
    return timeout;
  }

  public long maxMessageBytes() {
    return maxMessageBytes;
  }

  /** The Vert.x instance to run on; empty when the client creates (and closes) its own. */
  public Optional<Vertx> vertx() {
    return Optional.ofNullable(vertx);
  }

  @Override
  public String toString() {
    return host + ":" + port + " (timeout " + timeout + ")";
  }

  /** Builds {@link FeatureStoreClientOptions}; not thread-safe. */
  public static final class Builder {
    private String host;
    private int port;
    private Duration timeout = DEFAULT_TIMEOUT;
    private long maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private Vertx vertx;

    private Builder() {}

    /** @throws InvalidRequestException naming the port when it is not 1 to 65535 */
    public Builder address(String host, int port) {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new InvalidRequestException("Cannot use feature store address '" + host + ":" + port
            + "': the host is empty");
      }
      if (port < 1 || port > 65_535) {
        throw new InvalidRequestException("Cannot use feature store address '" + host + ":" + port
            + "': the port is not between 1 and 65535");
      }
      this.host = host;
      this.port = port;
      return this;
    }

    /** @throws InvalidRequestException when the timeout is not positive */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new InvalidRequestException("Cannot use timeout " + timeout + ": it must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /** @throws InvalidRequestException when the size is not positive */
    public Builder maxMessageBytes(long maxMessageBytes) {
      if (maxMessageBytes <= 0) {
        throw new InvalidRequestException(
            "Cannot use max message size " + maxMessageBytes + ": it must be positive");
      }
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /** Runs the client on {@code vertx}, which the caller keeps and closes; by default the client owns one. */
    public Builder vertx(Vertx vertx) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
      return this;
    }

    public FeatureStoreClientOptions build() {
      return new FeatureStoreClientOptions(this);
    }
  }
}
