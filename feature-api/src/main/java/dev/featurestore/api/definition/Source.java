package dev.featurestore.api.definition;

import dev.featurestore.api.error.InvalidRequestException;
import java.util.Objects;

/**
 * Where a feature view's rows come from. Whatever the source, the offline tier keeps the view's rows in its own
 * Iceberg table; the source says how they get there.
 */
public record Source(Kind kind, String location) {
  public enum Kind {
    /** Parquet or CSV files ingested into the view's table; {@code location} is a default path (may be empty). */
    BATCH_FILE,
    /** An existing Iceberg table; {@code location} is its identifier ({@code namespace.table}). */
    ICEBERG_TABLE,
    /** Rows pushed to the online tier and appended to the view's table; {@code location} is empty. */
    PUSH
  }

  public Source {
    Objects.requireNonNull(kind, "kind");
    location = location == null ? "" : location;
    if (kind == Kind.ICEBERG_TABLE && location.isBlank()) {
      throw new InvalidRequestException("Cannot use an ICEBERG_TABLE source without a table identifier");
    }
  }

  public static Source batchFile(String path) {
    return new Source(Kind.BATCH_FILE, path);
  }

  public static Source icebergTable(String identifier) {
    return new Source(Kind.ICEBERG_TABLE, identifier);
  }

  public static Source push() {
    return new Source(Kind.PUSH, "");
  }
}
