package dev.featurestore.offline;

import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.error.InvalidRequestException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A point-in-time correct training set to build: an entity file in, a Parquet file out. Immutable; refine with the
 * {@code withX} methods.
 *
 * <p>The entity file is Parquet ({@code .parquet}) or CSV ({@code .csv}, header row) with the join-key columns of
 * every selected view, an {@code event_timestamp} column and any other columns, which are kept as they are. Exactly
 * one of {@code features} (non-empty) and {@code featureService} (non-null) is given.
 *
 * @param entityFile the entity rows
 * @param features the feature references to join, or an empty list when {@code featureService} is given
 * @param featureService the feature service whose features to join, or null when {@code features} are given
 * @param naming how output feature columns are named (default {@link FeatureNaming#SHORT})
 * @param visibility which feature rows an entity row may see (default {@link Visibility#ALL_WRITES})
 * @param output where {@link OfflineStore#trainingSet} writes the Parquet file (an existing file is replaced,
 *     atomically); null when the training set is streamed instead (Arrow Flight)
 * @param definitionsVersion the registry version whose definitions the caller passes, recorded in the manifest; 0
 *     when unknown
 * @param asOf the snapshots to read (a rebuild from a manifest), or null to read each view's current snapshot
 * @param table the name of a new Iceberg table in namespace {@value #TABLE_NAMESPACE} to save the rows to as well,
 *     or null
 * @param manifestOutput where to write the manifest, or null for {@code <output>.manifest.json} beside the output
 */
public record TrainingSetRequest(
    Path entityFile,
    List<FeatureRef> features,
    String featureService,
    FeatureNaming naming,
    Visibility visibility,
    Path output,
    long definitionsVersion,
    AsOf asOf,
    String table,
    Path manifestOutput) {

  /** The namespace of the Iceberg tables training sets are saved to. */
  public static final String TABLE_NAMESPACE = "training";

  /**
   * Pins a rebuild to what a manifest recorded: exactly these snapshots, and the same entity file content.
   *
   * @param snapshotIds the snapshot to read per view; a selected view that is absent had no table then and reads
   *     as empty (all its features null), even if it has rows now
   * @param entitySha256 the hex SHA-256 the entity file must still have
   */
  public record AsOf(Map<String, Long> snapshotIds, String entitySha256) {
    public AsOf {
      snapshotIds = Map.copyOf(snapshotIds);
      Objects.requireNonNull(entitySha256, "entitySha256");
    }
  }

  /** Which stored feature rows an entity row at time {@code t} may see. */
  public enum Visibility {
    /** Every row with {@code event_timestamp <= t}, however late it was written (the default). */
    ALL_WRITES,
    /**
     * Only rows that were also written by {@code t} ({@code created_timestamp <= t}): what could have been known at
     * {@code t}, so that a late backfill cannot leak the future into training.
     */
    AS_KNOWN_AT
  }

  public TrainingSetRequest {
    Objects.requireNonNull(entityFile, "entityFile");
    features = List.copyOf(features == null ? List.of() : features);
    Objects.requireNonNull(naming, "naming");
    Objects.requireNonNull(visibility, "visibility");
    if (definitionsVersion < 0) {
      throw new InvalidRequestException("Cannot build training set from '" + entityFile.getFileName()
          + "': definitions version " + definitionsVersion + " is negative");
    }
    if (table != null && !table.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new InvalidRequestException("Cannot build training set from '" + entityFile.getFileName()
          + "': table name '" + table + "' must be letters, digits and underscores, not starting with a digit");
    }
    if (features.isEmpty() == (featureService == null)) {
      throw new InvalidRequestException(
          "Cannot build training set from '" + entityFile.getFileName()
              + "': give either feature references or a feature service, not both or neither");
    }
  }

  /** A request without manifest options: current snapshots, no table, the manifest beside the output. */
  public TrainingSetRequest(Path entityFile, List<FeatureRef> features, String featureService, FeatureNaming naming,
      Visibility visibility, Path output) {
    this(entityFile, features, featureService, naming, visibility, output, 0, null, null, null);
  }

  /** A request for the given features, short names, all writes visible. */
  public static TrainingSetRequest forFeatures(Path entityFile, List<FeatureRef> features, Path output) {
    return new TrainingSetRequest(
        entityFile, features, null, FeatureNaming.SHORT, Visibility.ALL_WRITES, output);
  }

  /** A request for the features of a feature service, short names, all writes visible. */
  public static TrainingSetRequest forService(Path entityFile, String featureService, Path output) {
    return new TrainingSetRequest(
        entityFile, List.of(), Objects.requireNonNull(featureService, "featureService"), FeatureNaming.SHORT,
        Visibility.ALL_WRITES, output);
  }

  public TrainingSetRequest withNaming(FeatureNaming naming) {
    return new TrainingSetRequest(entityFile, features, featureService, naming, visibility, output,
        definitionsVersion, asOf, table, manifestOutput);
  }

  public TrainingSetRequest withVisibility(Visibility visibility) {
    return new TrainingSetRequest(entityFile, features, featureService, naming, visibility, output,
        definitionsVersion, asOf, table, manifestOutput);
  }

  public TrainingSetRequest withOutput(Path output) {
    return new TrainingSetRequest(entityFile, features, featureService, naming, visibility, output,
        definitionsVersion, asOf, table, manifestOutput);
  }

  public TrainingSetRequest withDefinitionsVersion(long definitionsVersion) {
    return new TrainingSetRequest(entityFile, features, featureService, naming, visibility, output,
        definitionsVersion, asOf, table, manifestOutput);
  }

  public TrainingSetRequest withAsOf(AsOf asOf) {
    return new TrainingSetRequest(entityFile, features, featureService, naming, visibility, output,
        definitionsVersion, asOf, table, manifestOutput);
  }

  /** Also save the rows as the new Iceberg table {@code training.<table>}. */
  public TrainingSetRequest withTable(String table) {
    return new TrainingSetRequest(entityFile, features, featureService, naming, visibility, output,
        definitionsVersion, asOf, table, manifestOutput);
  }

  public TrainingSetRequest withManifestOutput(Path manifestOutput) {
    return new TrainingSetRequest(entityFile, features, featureService, naming, visibility, output,
        definitionsVersion, asOf, table, manifestOutput);
  }

  /** Where the manifest goes: {@link #manifestOutput()}, else {@code <output>.manifest.json}; null when streamed. */
  public Path manifestPath() {
    if (manifestOutput != null) {
      return manifestOutput;
    }
    return output == null ? null : output.resolveSibling(output.getFileName() + ".manifest.json");
  }
}
