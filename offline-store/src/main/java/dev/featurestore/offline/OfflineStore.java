package dev.featurestore.offline;

import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.registry.Registry;
import java.nio.file.Path;
import java.util.List;

/**
 * The offline tier: one Iceberg table per feature view (namespace {@code features}, table named by the view),
 * holding every row ever ingested, partitioned by day of {@code event_timestamp}.
 *
 * <p>Table schema of a view: its join keys (in {@link Definitions#joinKeys} order), {@code event_timestamp} and
 * {@code created_timestamp} (timestamptz, microseconds), then one column per feature with the Iceberg type of its
 * value type. A feature added to the view later becomes a new column at the next ingestion; a type never changes.
 *
 * <p>Every method blocks (file and catalog I/O): call it from a worker thread, never from an event loop. Methods
 * are thread-safe. Failures are unchecked: {@link dev.featurestore.api.error.InvalidRequestException} for a bad
 * file or request (nothing written), {@link dev.featurestore.api.error.NotFoundException} for an undefined view,
 * feature or service, {@link dev.featurestore.api.error.UnavailableException} for storage failures.
 */
public interface OfflineStore extends AutoCloseable {

  /**
   * Appends a Parquet ({@code .parquet}) or CSV ({@code .csv}, header row) file to a view's table, in one Iceberg
   * commit. The file must have every join key and {@code event_timestamp}; {@code created_timestamp} defaults to
   * the time of ingestion; feature columns may be missing (null); any other column is refused. CSV timestamps are
   * ISO-8601 instants or integer epoch microseconds, lists read {@code [1,2,3]}, bytes are Base64, an empty cell is
   * null.
   *
   * <p>The whole file is validated before anything is written: a bad value, a null key or timestamp, a missing key
   * column or an unknown column fails with an {@link dev.featurestore.api.error.InvalidRequestException} naming the
   * file, the view, the column and the row (1-based, header excluded), and the table is left unchanged.
   *
   * @param progress reports rows
   */
  IngestResult ingest(Definitions definitions, String viewName, Path file, ProgressListener progress);

  /**
   * Appends rows to a view's table in one Iceberg commit, idempotently: the commit's snapshot summary records
   * {@code appendId} (property {@code fstore.append-id}), and when a snapshot of the table already records it,
   * nothing is written and the result reports that snapshot with 0 rows. A caller that cannot tell whether an
   * earlier call committed (a crash between the commit and its own bookkeeping) calls again with the same id.
   *
   * <p>Each row's key holds the view's join-key values in {@link Definitions#joinKeys} order; its values may only
   * name features of the view. Every row is checked before anything is written: a wrong key, a non-positive event
   * timestamp, an unknown feature or a value of the wrong type fails with an
   * {@link dev.featurestore.api.error.InvalidRequestException} naming the row (0-based) and the value.
   *
   * @param appendId identifies this append across retries and restarts; unique per distinct set of rows
   */
  IngestResult append(Definitions definitions, String viewName, List<FeatureRow> rows, String appendId);

  /**
   * Builds a point-in-time correct training set: for each entity row (keys {@code k}, time {@code t}) and each
   * selected view (TTL {@code d}), the feature values of the row {@code x} with {@code x.keys = k},
   * {@code x.event_timestamp <= t} and, when {@code d > 0}, {@code x.event_timestamp >= t - d}; the largest
   * {@code event_timestamp} wins, ties go to the largest {@code created_timestamp}, then to the latest write. With
   * {@link TrainingSetRequest.Visibility#AS_KNOWN_AT} also {@code x.created_timestamp <= t}. No such row: null.
   *
   * <p>The output keeps every entity row in input order with all of its columns, then one column per selected
   * feature, named as {@link dev.featurestore.api.definition.FeatureSelection#qualifyingNamesIn} says for the entity
   * columns. Each view is read at its current snapshot, or with {@link TrainingSetRequest#asOf()} at exactly the
   * pinned one (a {@link dev.featurestore.api.error.NotFoundException} naming view and snapshot when it expired; an
   * {@link dev.featurestore.api.error.InvalidRequestException} when the entity file's sha256 changed).
   *
   * <p>A {@link TrainingSetManifest} (snapshots, request, entity file sha256, row count, content hash) is written
   * atomically to {@link TrainingSetRequest#manifestPath()} and returned in the result. With
   * {@link TrainingSetRequest#table()} the rows are also saved as the new Iceberg table {@code training.<table>} in
   * one commit (refused, before the join, when it exists).
   *
   * @param progress reports entity rows
   */
  TrainingSetResult trainingSet(Definitions definitions, TrainingSetRequest request, ProgressListener progress);

  /**
   * Writes to the online tier, for every key with rows whose {@code event_timestamp} is in
   * {@code [startMicros, endMicros)}, the newest of those rows (the ordering of the point-in-time join), in batches,
   * waiting for each batch. Idempotent: the online store is event-time-wins, so a re-run changes nothing.
   *
   * @param progress reports keys
   */
  MaterializeResult materialize(
      Definitions definitions,
      String viewName,
      long startMicros,
      long endMicros,
      OnlineStore online,
      ProgressListener progress);

  /**
   * Writes to the online tier what was committed to a view's table since the last run, and records how far it got
   * as the view's watermark in {@code registry} ({@link Registry#advanceWatermark}): for every key with rows in the
   * append snapshots after the watermark snapshot up to the current one, the newest of those rows (the ordering of
   * the point-in-time join). Rewrites (compaction) add no rows and are skipped. The first run, or a run whose
   * watermark snapshot is no longer in the table's history (expired), reads every row of the current snapshot.
   *
   * <p>Idempotent and crash-safe: the watermark moves only after every online write of the run was confirmed, so
   * a run that fails part way leaves it, and the next run writes the same rows again, which event-time-wins makes
   * harmless; the online state ends as after one clean run.
   *
   * @param progress reports keys
   */
  IncrementalMaterializeResult materializeIncremental(
      Definitions definitions, String viewName, OnlineStore online, Registry registry, ProgressListener progress);

  /**
   * Rewrites runs of small data files of a view's table into larger files (see {@link CompactionOptions}), in
   * commits that change no rows: training sets and online values stay the same, and the snapshots before the
   * compaction still read as before until they expire. Safe while appends go on: they are kept. A view without a
   * table yet gives an empty result.
   */
  CompactionResult compact(String viewName, CompactionOptions options);

  /**
   * Removes the snapshots of a view's table outside {@code policy} from its history, and the files only they
   * referenced. Snapshots inside the window keep reading as they did. A view without a table gives an empty result.
   */
  ExpiryResult expireSnapshots(String viewName, RetentionPolicy policy);

  /** Releases the catalog. */
  @Override
  void close();
}
