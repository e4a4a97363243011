package dev.featurestore.offline;

/**
 * A running Arrow Flight endpoint for training sets: clients upload an entity table with DoPut (or name a file on
 * the server), may ask GetFlightInfo for the schema, row count and ticket, and stream the point-in-time correct
 * training set with DoGet, as Arrow record batches followed by its {@link TrainingSetManifest} as app metadata; a
 * request carrying a manifest ({@code as_of}) builds the same rows again. The protocol is in the README ("Training
 * sets over Arrow Flight"); any Flight client works. Created by {@link OfflineStores#flightService}.
 *
 * <p>Calls run on the service's own bounded pool of worker threads. {@link #close()} stops accepting calls, waits
 * for running ones up to a few seconds, then releases the memory and the uploads; it does not close the offline
 * store. Thread-safe.
 */
public interface TrainingSetFlightService extends AutoCloseable {

  /** The port the service listens on. */
  int port();

  @Override
  void close();
}
