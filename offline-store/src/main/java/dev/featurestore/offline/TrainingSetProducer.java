package dev.featurestore.offline;

import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.registry.RegistrySnapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flight calls of the training-set service (protocol in the README, "Training sets over Arrow Flight"):
 *
 * <ul>
 *   <li>DoPut with a command descriptor ({@link FlightCommand} JSON) stores the uploaded entity table and answers
 *       one {@link PutResult} whose metadata is the ticket to DoGet;
 *   <li>GetFlightInfo with a command descriptor naming the entities answers the training set's schema, its row
 *       count (-1 when unknown: a CSV file) and one endpoint whose ticket is the command, the flow generic Flight
 *       clients use (GetSchema follows from it);
 *   <li>DoGet with a ticket streams the training set, then one metadata-only message: its
 *       {@link TrainingSetManifest} as JSON, the same as the command line writes, with no output file.
 * </ul>
 *
 * Runs on the Flight server's worker threads; the join blocks them, never an event loop.
 */
final class TrainingSetProducer extends NoOpFlightProducer {
  private static final Logger log = LoggerFactory.getLogger(TrainingSetProducer.class);

  private final IcebergOfflineStore store;
  private final DefinitionVersions definitions;
  private final EntityUploads uploads;
  private final BufferAllocator allocator;

  TrainingSetProducer(IcebergOfflineStore store, DefinitionVersions definitions, EntityUploads uploads,
      BufferAllocator allocator) {
    this.store = store;
    this.definitions = definitions;
    this.uploads = uploads;
    this.allocator = allocator;
  }

  @Override
  public Runnable acceptPut(CallContext context, FlightStream stream, StreamListener<PutResult> ackStream) {
    return () -> {
      try {
        FlightCommand command = commandOf(stream.getDescriptor(), "upload entity table");
        if (command.entityPath() != null || command.upload() != null) {
          throw new InvalidRequestException(
              "Cannot upload entity table: the command names 'entity_path' or 'upload'; DoPut brings the entities");
        }
        resolve(command); // unknown views, features or services fail now, before the upload
        String id = uploads.store(stream);
        byte[] ticket = command.withUpload(id).toJson();
        ArrowBuf metadata = allocator.buffer(ticket.length);
        metadata.writeBytes(ticket);
        // the result owns the buffer; onNext copies it into the gRPC message before returning
        try (PutResult result = PutResult.metadata(metadata)) {
          ackStream.onNext(result);
        }
        ackStream.onCompleted();
      } catch (RuntimeException e) {
        log.debug("DoPut failed", e);
        ackStream.onError(FlightErrors.toStatus(e));
      }
    };
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    try {
      FlightCommand command = commandOf(descriptor, "describe training set");
      TrainingSetRequest request = command.toRequest(entitiesOf(command));
      TrainingSetSchema schema = TrainingSetSchema.of(definitionsOf(command).definitions(), request);
      // no location: the ticket is fetched from this same service
      FlightEndpoint endpoint = new FlightEndpoint(new Ticket(command.toJson()));
      return new FlightInfo(schema.schema(), descriptor, List.of(endpoint), -1, schema.rows());
    } catch (RuntimeException e) {
      log.debug("GetFlightInfo failed", e);
      throw FlightErrors.toStatus(e);
    }
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    try {
      FlightCommand command = FlightCommand.parse(ticket.getBytes());
      Path entities = entitiesOf(command);
      RegistrySnapshot version = definitionsOf(command);
      TrainingSetRequest request = command.toRequest(entities).withDefinitionsVersion(version.version());
      String action = "Cannot build training set from '" + entities.getFileName() + "'";
      String entitySha256 = ManifestCodec.sha256(entities, action);
      if (command.asOf() != null && !command.asOf().entitySha256().equals(entitySha256)) {
        throw new InvalidRequestException(action + " as of its manifest: the entity file changed since (sha256 "
            + entitySha256 + ", the manifest has " + command.asOf().entitySha256() + ")");
      }
      HashingSink sink = new HashingSink(List.of(new FlightSink(listener)));
      TrainingSets.Stats stats =
          store.streamTrainingSet(version.definitions(), request, sink, allocator, ProgressListener.NONE);
      TrainingSetManifest manifest = new TrainingSetManifest(TrainingSetManifest.FORMAT_VERSION, Instant.now(),
          entities.toAbsolutePath(), entitySha256, request.features(), request.featureService(), request.naming(),
          request.visibility(), version.version(), stats.snapshotIds(), stats.viewsWithoutTable(), stats.rows(),
          sink.contentHash(), null, null, null);
      if (command.asOf() != null && !command.asOf().contentHash().equals(manifest.contentHash())) {
        // the rows went out already: fail the call so that the client does not take them for the same set
        throw CallStatus.INTERNAL.withDescription(action + " as of its manifest: content hash "
            + manifest.contentHash() + " differs from the manifest's " + command.asOf().contentHash())
            .toRuntimeException();
      }
      byte[] json = ManifestCodec.toJson(manifest);
      ArrowBuf metadata = allocator.buffer(json.length);
      metadata.writeBytes(json);
      listener.putMetadata(metadata); // the message takes the buffer and releases it once sent
      listener.completed();
    } catch (RuntimeException e) {
      log.debug("DoGet failed", e);
      listener.error(FlightErrors.toStatus(e));
    }
  }

  private static FlightCommand commandOf(FlightDescriptor descriptor, String action) {
    if (!descriptor.isCommand()) {
      throw new InvalidRequestException("Cannot " + action + ": the descriptor must be a command (the training-set"
          + " request as JSON), not the path " + descriptor.getPath());
    }
    return FlightCommand.parse(descriptor.getCommand());
  }

  /** The entity file of a command: an upload, a file on the server, or a manifest's entity file. */
  private Path entitiesOf(FlightCommand command) {
    if (command.upload() != null) {
      return uploads.find(command.upload());
    }
    if (command.entityPath() != null) {
      return Path.of(command.entityPath());
    }
    if (command.asOf() != null) {
      return command.asOf().entityFile();
    }
    throw new InvalidRequestException(
        "Cannot build training set: the request names no entities (give 'entity_path', or DoPut them first)");
  }

  /** The current definitions, or with {@code as_of} those of the manifest's registry version (0: the current). */
  private RegistrySnapshot definitionsOf(FlightCommand command) {
    if (command.asOf() == null || command.asOf().definitionsVersion() == 0) {
      return definitions.current();
    }
    return definitions.version(command.asOf().definitionsVersion());
  }

  private void resolve(FlightCommand command) {
    var current = definitionsOf(command).definitions();
    FeatureNaming naming = command.fullNames() ? FeatureNaming.FULL : FeatureNaming.SHORT;
    if (command.featureService() != null) {
      current.selectService(command.featureService(), naming);
    } else {
      current.select(command.features(), naming);
    }
  }
}
