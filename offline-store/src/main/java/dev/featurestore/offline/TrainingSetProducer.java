package dev.featurestore.offline;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.error.InvalidRequestException;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flight calls of the training-set service. DoPut with a command descriptor ({@link FlightCommand} JSON) stores
 * the uploaded entity table and answers one {@link PutResult} whose metadata is the ticket to DoGet; DoGet with a
 * ticket (the one from DoPut, or a command JSON naming {@code entity_path}) streams the training set. Runs on the
 * Flight server's worker threads; the join blocks them, never an event loop.
 */
final class TrainingSetProducer extends NoOpFlightProducer {
  private static final Logger log = LoggerFactory.getLogger(TrainingSetProducer.class);

  private final IcebergOfflineStore store;
  private final Supplier<Definitions> definitions;
  private final EntityUploads uploads;
  private final BufferAllocator allocator;

  TrainingSetProducer(IcebergOfflineStore store, Supplier<Definitions> definitions, EntityUploads uploads,
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
        FlightDescriptor descriptor = stream.getDescriptor();
        if (!descriptor.isCommand()) {
          throw new InvalidRequestException("Cannot upload entity table: the descriptor must be a command (the"
              + " training-set request as JSON), not the path " + descriptor.getPath());
        }
        FlightCommand command = FlightCommand.parse(descriptor.getCommand());
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
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    try {
      FlightCommand command = FlightCommand.parse(ticket.getBytes());
      Path entities;
      if (command.upload() != null) {
        entities = uploads.find(command.upload());
      } else if (command.entityPath() != null) {
        entities = Path.of(command.entityPath());
      } else {
        throw new InvalidRequestException(
            "Cannot build training set: the ticket names no entities (give 'entity_path', or DoPut them first)");
      }
      store.streamTrainingSet(definitions.get(), command.toRequest(entities), new FlightSink(listener), allocator,
          ProgressListener.NONE);
    } catch (RuntimeException e) {
      log.debug("DoGet failed", e);
      listener.error(FlightErrors.toStatus(e));
    }
  }

  private void resolve(FlightCommand command) {
    Definitions current = definitions.get();
    FeatureNaming naming = command.fullNames() ? FeatureNaming.FULL : FeatureNaming.SHORT;
    if (command.featureService() != null) {
      current.selectService(command.featureService(), naming);
    } else {
      current.select(command.features(), naming);
    }
  }
}
