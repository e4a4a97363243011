package dev.featurestore.offline;

import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.error.InvalidRequestException;
import java.nio.file.Path;
import java.util.List;
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
 */
public record TrainingSetRequest(
    Path entityFile,
    List<FeatureRef> features,
    String featureService,
    FeatureNaming naming,
    Visibility visibility,
    Path output) {

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
    if (features.isEmpty() == (featureService == null)) {
      throw new InvalidRequestException(
          "Cannot build training set from '" + entityFile.getFileName()
              + "': give either feature references or a feature service, not both or neither");
    }
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
    return new TrainingSetRequest(entityFile, features, featureService, naming, visibility, output);
  }

  public TrainingSetRequest withVisibility(Visibility visibility) {
    return new TrainingSetRequest(entityFile, features, featureService, naming, visibility, output);
  }

  public TrainingSetRequest withOutput(Path output) {
    return new TrainingSetRequest(entityFile, features, featureService, naming, visibility, output);
  }
}
