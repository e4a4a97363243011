package dev.featurestore.offline;

import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.registry.Registry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.hadoop.HadoopCatalog;

/** {@link OfflineStore} on an Iceberg catalog; translates every storage failure in one place. */
final class IcebergOfflineStore implements OfflineStore {
  private final HadoopCatalog catalog;
  private final Ingestion ingestion;
  private final TrainingSets trainingSets;
  private final Materializer materializer;
  private final Compaction compaction;
  private final SnapshotExpiry expiry;

  private IcebergOfflineStore(HadoopCatalog catalog, TrainingSetOptions trainingSetOptions) {
    this.catalog = catalog;
    ViewTables tables = new ViewTables(catalog);
    this.ingestion = new Ingestion(tables);
    this.trainingSets = new TrainingSets(tables, trainingSetOptions);
    this.materializer = new Materializer(tables);
    this.compaction = new Compaction(tables);
    this.expiry = new SnapshotExpiry(tables);
  }

  static IcebergOfflineStore onLocalWarehouse(Path warehouse, TrainingSetOptions trainingSetOptions) {
    try {
      Files.createDirectories(warehouse);
    } catch (IOException e) {
      throw new UnavailableException("Cannot open offline store at '" + warehouse + "': " + e.getMessage(), e);
    }
    return new IcebergOfflineStore(
        new HadoopCatalog(new Configuration(), warehouse.toUri().toString()), trainingSetOptions);
  }

  @Override
  public IngestResult ingest(Definitions definitions, String viewName, Path file, ProgressListener progress) {
    Objects.requireNonNull(definitions, "definitions");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(progress, "progress");
    return translate("ingest '" + file.getFileName() + "' into view '" + viewName + "'",
        () -> ingestion.run(definitions, viewName, file, progress));
  }

  @Override
  public IngestResult append(Definitions definitions, String viewName, List<FeatureRow> rows, String appendId) {
    Objects.requireNonNull(definitions, "definitions");
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(appendId, "appendId");
    return translate("append " + rows.size() + " rows to view '" + viewName + "'",
        () -> ingestion.append(definitions, viewName, rows, appendId));
  }

  @Override
  public TrainingSetResult trainingSet(
      Definitions definitions, TrainingSetRequest request, ProgressListener progress) {
    Objects.requireNonNull(definitions, "definitions");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(progress, "progress");
    if (request.output() == null) {
      throw new InvalidRequestException("Cannot build training set from '" + request.entityFile().getFileName()
          + "': no output file given");
    }
    String action = "build training set from '" + request.entityFile().getFileName() + "'";
    return translate(action, () -> {
      long started = System.nanoTime();
      String entitySha256 = ManifestCodec.sha256(request.entityFile(), "Cannot " + action);
      if (request.asOf() != null && !request.asOf().entitySha256().equals(entitySha256)) {
        throw new InvalidRequestException("Cannot " + action + " as of its manifest: the entity file changed since"
            + " (sha256 " + entitySha256 + ", the manifest has " + request.asOf().entitySha256() + ")");
      }
      TableSink tableSink = null;
      if (request.table() != null) {
        TableIdentifier id = TableIdentifier.of(TrainingSetRequest.TABLE_NAMESPACE, request.table());
        if (catalog.tableExists(id)) {
          throw new InvalidRequestException("Cannot " + action + ": table '" + id + "' already exists (choose"
              + " another name; a saved training set is never replaced)");
        }
        tableSink = new TableSink(catalog, id);
      }
      List<TrainingSetSink> sinks = new ArrayList<>();
      if (tableSink != null) {
        sinks.add(tableSink);
      }
      sinks.add(new ParquetSink(request.output()));
      HashingSink sink = new HashingSink(sinks);
      try (BufferAllocator allocator = new RootAllocator()) {
        TrainingSets.Stats stats = trainingSets.run(definitions, request, sink, allocator, progress);
        TrainingSetManifest manifest = new TrainingSetManifest(TrainingSetManifest.FORMAT_VERSION, Instant.now(),
            request.entityFile().toAbsolutePath(), entitySha256, request.features(), request.featureService(), request.naming(),
            request.visibility(), request.definitionsVersion(), stats.snapshotIds(), stats.viewsWithoutTable(),
            stats.rows(), sink.contentHash(), request.output().toAbsolutePath(),
            request.table() == null ? null : TrainingSetRequest.TABLE_NAMESPACE + "." + request.table(),
            tableSink == null ? null : tableSink.snapshotId());
        Path manifestPath = request.manifestPath();
        manifest.write(manifestPath);
        return new TrainingSetResult(stats.rows(), request.output(), Ingestion.seconds(started),
            stats.snapshotIds(), stats.spilledRuns(), stats.keyPasses(), manifest, manifestPath);
      }
    });
  }

  /**
   * Builds a training set into any sink (a Flight stream), allocating its batches from {@code allocator}; the
   * request's output is ignored. Failures as {@link #trainingSet}.
   */
  TrainingSets.Stats streamTrainingSet(Definitions definitions, TrainingSetRequest request, TrainingSetSink sink,
      BufferAllocator allocator, ProgressListener progress) {
    return translate("build training set from '" + request.entityFile().getFileName() + "'",
        () -> trainingSets.run(definitions, request, sink, allocator, progress));
  }

  @Override
  public MaterializeResult materialize(
      Definitions definitions,
      String viewName,
      long startMicros,
      long endMicros,
      OnlineStore online,
      ProgressListener progress) {
    Objects.requireNonNull(definitions, "definitions");
    Objects.requireNonNull(online, "online");
    Objects.requireNonNull(progress, "progress");
    return translate("materialize view '" + viewName + "'",
        () -> materializer.run(definitions, viewName, startMicros, endMicros, online, progress));
  }

  @Override
  public IncrementalMaterializeResult materializeIncremental(
      Definitions definitions, String viewName, OnlineStore online, Registry registry, ProgressListener progress) {
    Objects.requireNonNull(definitions, "definitions");
    Objects.requireNonNull(online, "online");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(progress, "progress");
    return translate("materialize view '" + viewName + "' incrementally",
        () -> materializer.runIncremental(definitions, viewName, online, registry, progress));
  }

  @Override
  public CompactionResult compact(String viewName, CompactionOptions options) {
    Objects.requireNonNull(viewName, "viewName");
    Objects.requireNonNull(options, "options");
    return translate("compact the table of view '" + viewName + "'", () -> compaction.run(viewName, options));
  }

  @Override
  public ExpiryResult expireSnapshots(String viewName, RetentionPolicy policy) {
    Objects.requireNonNull(viewName, "viewName");
    Objects.requireNonNull(policy, "policy");
    return translate("expire snapshots of view '" + viewName + "'",
        () -> expiry.run(viewName, policy, System.currentTimeMillis()));
  }

  @Override
  public void close() {
    try {
      catalog.close();
    } catch (IOException e) {
      throw new UnavailableException("Cannot close offline store: " + e.getMessage(), e);
    }
  }

  private static <T> T translate(String action, Supplier<T> work) {
    try {
      return work.get();
    } catch (FeatureStoreException e) {
      throw e;
    } catch (UncheckedIOException | CommitFailedException e) {
      throw new UnavailableException("Cannot " + action + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new UnavailableException("Cannot " + action + ": storage failed (" + e + ")", e);
    }
  }
}
