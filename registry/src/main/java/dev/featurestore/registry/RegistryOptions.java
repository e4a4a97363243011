package dev.featurestore.registry;

import dev.featurestore.api.error.InvalidRequestException;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Registry} runs. Immutable and thread-safe; build with {@link #builder()}.
 *
 * <p>{@code refreshInterval} (default one second) is how often the registry asks its database whether another
 * process applied a new version: {@link Registry#current()} trails such an apply by at most about that long.
 */
public final class RegistryOptions {
  private static final RegistryOptions DEFAULTS = builder().build();

  private final Duration refreshInterval;

  private RegistryOptions(Builder builder) {
    this.refreshInterval = builder.refreshInterval;
  }

  public static RegistryOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().refreshInterval(refreshInterval);
  }

  public Duration refreshInterval() {
    return refreshInterval;
  }

  @Override
  public String toString() {
    return "RegistryOptions[refreshInterval=" + refreshInterval + "]";
  }

  /** Builds {@link RegistryOptions}; not thread-safe. */
  public static final class Builder {
    private Duration refreshInterval = Duration.ofSeconds(1);

    private Builder() {}

    /**
     * How often to look for versions applied by other processes; positive.
     *
     * @throws InvalidRequestException naming the interval when it is zero or negative
     */
    public Builder refreshInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isZero() || interval.isNegative()) {
        throw new InvalidRequestException(
            "Cannot use registry refresh interval " + interval + ": it must be positive");
      }
      this.refreshInterval = interval;
      return this;
    }

    public RegistryOptions build() {
      return new RegistryOptions(this);
    }
  }
}
