package dev.featurestore.sdk;

import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.api.error.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Fetches point-in-time correct training sets from the server's Arrow Flight service ({@code fstore serve}, port
 * 8815 by default) as Arrow record batches.
 *
 * <pre>{@code
 * try (TrainingSetClient client = TrainingSetClient.connect("localhost", 8815);
 *     VectorSchemaRoot entities = VectorSchemaRoot.create(schema, client.allocator())) {
 *   // fill entities: the join keys, event_timestamp (timestamp, any unit; UTC) and any label columns
 *   FetchedTrainingSet fetched = client.fetch(TrainingSetQuery.ofService("fraud_model"), entities, batch -> train(batch));
 *   // keep fetched.manifest(); later the same rows again, even after more data arrived:
 *   client.fetch(TrainingSetQuery.asOf(fetched.manifest()), entities, batch -> train(batch));
 * }
 * }</pre>
 *
 * <p>The training set keeps every entity row in input order with all its columns, plus one column per feature.
 * Calls block the calling thread until the last batch was handed over; the client is thread-safe. Failures are
 * unchecked: {@link InvalidRequestException} (a malformed query or entity table, naming the value),
 * {@link NotFoundException} (an unknown view, feature or service), {@link UnavailableException} (the server
 * cannot be reached).
 */
public final class TrainingSetClient implements AutoCloseable {
  private final BufferAllocator allocator;
  private final FlightClient client;
  private final String target;

  private TrainingSetClient(BufferAllocator allocator, FlightClient client, String target) {
    this.allocator = allocator;
    this.client = client;
    this.target = target;
  }

  /** A client of the Flight service at {@code host:port}; connects on the first call. */
  public static TrainingSetClient connect(String host, int port) {
    Objects.requireNonNull(host, "host");
    BufferAllocator allocator = new RootAllocator();
    FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure(host, port)).build();
    return new TrainingSetClient(allocator, client, host + ":" + port);
  }

  /** The allocator for entity tables sent with {@link #fetch}, and of the batches received. */
  public BufferAllocator allocator() {
    return allocator;
  }

  /**
   * Uploads {@code entities} (DoPut), then streams the training set (DoGet) to {@code batches}, one call per
   * Arrow record batch; a batch is valid only during its call (copy what you keep).
   *
   * @return the number of rows received (the number of entity rows) and the training set's manifest
   */
  public FetchedTrainingSet fetch(
      TrainingSetQuery query, VectorSchemaRoot entities, Consumer<VectorSchemaRoot> batches) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(entities, "entities");
    Objects.requireNonNull(batches, "batches");
    byte[] ticket;
    try {
      SyncPutListener listener = new SyncPutListener();
      FlightClient.ClientStreamListener put =
          client.startPut(FlightDescriptor.command(query.toCommand(null)), entities, listener);
      put.putNext();
      put.completed();
      put.getResult();
      try (PutResult result = listener.read()) {
        ArrowBuf metadata = result.getApplicationMetadata();
        ticket = new byte[(int) metadata.readableBytes()];
        metadata.getBytes(0, ticket);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("Cannot upload entity table to " + target + ": interrupted", e);
    } catch (ExecutionException | RuntimeException e) {
      throw translate("upload entity table", e instanceof ExecutionException ? e.getCause() : e);
    }
    return stream(ticket, batches);
  }

  /**
   * Streams the training set of the entity file {@code serverPath} (a {@code .parquet} or {@code .csv} file that
   * the server can read) to {@code batches}, as {@link #fetch(TrainingSetQuery, VectorSchemaRoot, Consumer)}.
   */
  public FetchedTrainingSet fetch(TrainingSetQuery query, String serverPath, Consumer<VectorSchemaRoot> batches) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(serverPath, "serverPath");
    Objects.requireNonNull(batches, "batches");
    return stream(query.toCommand(serverPath), batches);
  }

  /**
   * Streams the training set of a {@link TrainingSetQuery#asOf query as of a manifest} from the manifest's own
   * entity file (a file on the server, or an upload still kept there), as
   * {@link #fetch(TrainingSetQuery, VectorSchemaRoot, Consumer)}.
   *
   * @throws InvalidRequestException when the query has no manifest (it names no entities)
   */
  public FetchedTrainingSet fetch(TrainingSetQuery query, Consumer<VectorSchemaRoot> batches) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(batches, "batches");
    if (query.asOf() == null) {
      throw new InvalidRequestException("Cannot fetch training set: the query names no entities (send an entity"
          + " table or a server path, or use a query as of a manifest)");
    }
    return stream(query.toCommand(null), batches);
  }

  private FetchedTrainingSet stream(byte[] ticket, Consumer<VectorSchemaRoot> batches) {
    long rows = 0;
    try (FlightStream stream = client.getStream(new Ticket(ticket))) {
      VectorSchemaRoot root = stream.getRoot();
      while (stream.next()) {
        // the last message carries only the manifest and leaves the root empty
        if (root.getRowCount() > 0) {
          rows += root.getRowCount();
          batches.accept(root);
        }
      }
      ArrowBuf metadata = stream.getLatestMetadata();
      if (metadata == null) {
        throw new FeatureStoreException("Cannot fetch training set: " + target + " sent no manifest after the rows");
      }
      byte[] manifest = new byte[(int) metadata.readableBytes()];
      metadata.getBytes(0, manifest);
      return new FetchedTrainingSet(rows, new String(manifest, StandardCharsets.UTF_8));
    } catch (FlightRuntimeException e) {
      throw translate("fetch training set", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("Cannot fetch training set from " + target + ": interrupted", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw translate("fetch training set", e);
    }
  }

  /** The one place where Flight failures become feature store exceptions. */
  private FeatureStoreException translate(String action, Throwable failure) {
    if (failure instanceof FeatureStoreException known) {
      return known;
    }
    if (failure instanceof FlightRuntimeException flight) {
      String message = flight.status().description() == null || flight.status().description().isEmpty()
          ? "Cannot " + action + ": " + target + " answered " + flight.status().code()
          : flight.status().description();
      return switch (flight.status().code()) {
        case INVALID_ARGUMENT -> new InvalidRequestException(message, flight);
        case NOT_FOUND -> new NotFoundException(message);
        case UNAVAILABLE -> new UnavailableException(
            "Cannot " + action + ": cannot reach the Flight service at " + target + " (" + message + ")", flight);
        default -> new FeatureStoreException(message, flight);
      };
    }
    return new FeatureStoreException("Cannot " + action + ": " + failure, failure);
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      allocator.close();
    }
  }
}
