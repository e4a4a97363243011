package dev.featurestore.offline;

import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.error.InvalidRequestException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a training set was built from and what it holds, so that it can be built again exactly
 * ({@link #toRequest}) and checked ({@link #contentHash}). Written as JSON ({@link #write}, {@link #read}) beside
 * the Parquet output as {@code <output>.manifest.json}.
 *
 * <p>The content hash is {@code sha256:} and the lowercase hex SHA-256 over the output rows in order; each row is
 * its columns in order, each column a byte {@code 0} for null, else a byte {@code 1} and the value: BOOL one byte
 * (0/1), INT32 4 bytes, INT64 and TIMESTAMP (microseconds since the epoch, UTC) 8 bytes, FLOAT and DOUBLE their
 * IEEE-754 bits (4 or 8 bytes), STRING (UTF-8) and BYTES a 4-byte length then the bytes, a list a 4-byte count then
 * each element so encoded without a null byte; every number big-endian. It depends only on the values, not on how
 * Parquet encodes or compresses them, and changes when a row, a value or the row order does.
 *
 * @param formatVersion the manifest layout, {@value #FORMAT_VERSION}
 * @param createdAt when the training set was built
 * @param entityFile the entity file as the request named it
 * @param entitySha256 lowercase hex SHA-256 of the entity file's bytes
 * @param features the requested feature references, empty when {@code featureService} is given
 * @param featureService the requested feature service, or null
 * @param naming how feature columns were named
 * @param visibility which feature rows entity rows could see
 * @param definitionsVersion the registry version of the definitions used; 0 when the caller did not say
 * @param snapshotIds the Iceberg snapshot read per view, by view name
 * @param viewsWithoutTable selected views that had no table yet (nothing ingested), whose features were all null
 * @param rows rows written
 * @param contentHash the hash of the rows, defined above
 * @param output the Parquet file written, or null
 * @param table the Iceberg table the rows were also saved to ({@code training.<name>}), or null
 * @param tableSnapshotId the snapshot of {@code table} holding the rows, or null (no table, or no rows)
 */
public record TrainingSetManifest(
    int formatVersion,
    Instant createdAt,
    Path entityFile,
    String entitySha256,
    List<FeatureRef> features,
    String featureService,
    FeatureNaming naming,
    TrainingSetRequest.Visibility visibility,
    long definitionsVersion,
    Map<String, Long> snapshotIds,
    List<String> viewsWithoutTable,
    long rows,
    String contentHash,
    Path output,
    String table,
    Long tableSnapshotId) {

  /** The manifest layout this code writes and reads. */
  public static final int FORMAT_VERSION = 1;

  public TrainingSetManifest {
    if (formatVersion != FORMAT_VERSION) {
      throw new InvalidRequestException("Cannot use training-set manifest: format version " + formatVersion
          + " is not supported (this version reads " + FORMAT_VERSION + ")");
    }
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(entityFile, "entityFile");
    Objects.requireNonNull(entitySha256, "entitySha256");
    features = List.copyOf(features);
    Objects.requireNonNull(naming, "naming");
    Objects.requireNonNull(visibility, "visibility");
    snapshotIds = Map.copyOf(snapshotIds);
    viewsWithoutTable = List.copyOf(viewsWithoutTable);
    Objects.requireNonNull(contentHash, "contentHash");
    if (features.isEmpty() == (featureService == null)) {
      throw new InvalidRequestException("Cannot use training-set manifest: it must name either features or a"
          + " feature service, not both or neither");
    }
  }

  /**
   * The request that builds this training set again: the same entity file (which must still have
   * {@link #entitySha256}), selection, naming and visibility, reading exactly {@link #snapshotIds}, written to
   * {@code output}. Use it with the definitions of {@link #definitionsVersion}.
   */
  public TrainingSetRequest toRequest(Path output) {
    return new TrainingSetRequest(entityFile, features, featureService, naming, visibility, output,
        definitionsVersion, new TrainingSetRequest.AsOf(snapshotIds, entitySha256), null, null);
  }

  /** Reads a manifest written by {@link #write}. */
  public static TrainingSetManifest read(Path file) {
    return ManifestCodec.read(file);
  }

  /** Writes this manifest as JSON to {@code file}, atomically (a temporary file moved into place). */
  public void write(Path file) {
    ManifestCodec.write(this, file);
  }
}
