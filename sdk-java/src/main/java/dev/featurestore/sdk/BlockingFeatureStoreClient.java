package dev.featurestore.sdk;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.UnavailableException;
import java.time.Duration;
import java.util.List;

/**
 * The blocking form of {@link FeatureStoreClient}: each call waits for the asynchronous one up to a timeout and,
 * when it expires, cancels it and throws {@link UnavailableException}. Failures are thrown as the same
 * {@link FeatureStoreException} subtypes the asynchronous client reports; an interrupted wait cancels the call,
 * keeps the thread's interrupt flag and throws {@link FeatureStoreException}. Thread-safe. Must not be called on a
 * Vert.x event loop thread, which it would stall.
 */
public interface BlockingFeatureStoreClient extends AutoCloseable {

  /** A blocking client of the server at {@code host:port}, with default options; closing it closes the connection. */
  static BlockingFeatureStoreClient connect(String host, int port) {
    return FeatureStoreClient.connect(host, port).blocking();
  }

  /** Blocking calls on {@code client} that wait at most {@code timeout}; closing the result closes {@code client}. */
  static BlockingFeatureStoreClient wrap(FeatureStoreClient client, Duration timeout) {
    return new BlockingClient(client, timeout);
  }

  /** See {@link FeatureStoreClient#plan}. */
  DefinitionsPlan plan(Definitions definitions);

  /** See {@link FeatureStoreClient#apply(Definitions)}. */
  ApplyOutcome apply(Definitions definitions);

  /** See {@link FeatureStoreClient#apply(Definitions, long)}. */
  ApplyOutcome apply(Definitions definitions, long expectedVersion);

  /** See {@link FeatureStoreClient#definitions()}. */
  VersionedDefinitions definitions();

  /** See {@link FeatureStoreClient#definitions(long)}. */
  VersionedDefinitions definitions(long version);

  /** See {@link FeatureStoreClient#getOnlineFeatures}. */
  OnlineResponse getOnlineFeatures(OnlineRequest request);

  /** See {@link FeatureStoreClient#predict}. */
  Predictions predict(PredictionRequest request);

  /** See {@link FeatureStoreClient#push}; returns the number of rows written. */
  long push(String featureView, List<PushRow> rows);

  /** The asynchronous client this one waits on. */
  FeatureStoreClient async();

  /** Closes the asynchronous client. */
  @Override
  void close();
}
