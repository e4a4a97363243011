package dev.featurestore.sdk;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.IncompatibleChangeException;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.api.error.UnavailableException;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The asynchronous client of a feature store server over gRPC: the registry (plan, apply, read definitions) and the
 * online tier (read latest values, push rows). Thread-safe; one instance per server and application, closed when
 * done.
 *
 * <p>Every method returns at once. Its stage completes on a Vert.x event loop thread, so dependent stages must not
 * block; exceptionally with a {@link FeatureStoreException} subtype: {@link InvalidRequestException} (fix the
 * request), {@link NotFoundException} (a named object does not exist), {@link IncompatibleChangeException} (apply
 * refused), {@link UnavailableException} (server unreachable or overloaded: retry later). The message is the
 * server's.
 *
 * <p>Cancelling the stage ({@code toCompletableFuture().cancel(..)}, or {@code orTimeout}) cancels the call on the
 * server. {@link #blocking()} gives the same operations as blocking calls with a timeout.
 *
 * <pre>{@code
 * try (FeatureStoreClient client = FeatureStoreClient.connect("localhost", 6566)) {
 *   client.apply(definitions).toCompletableFuture().join();
 *   OnlineResponse response = client.blocking().getOnlineFeatures(
 *       OnlineRequest.ofService("fraud_model").withEntityRow(Map.of("user_id", 42L)));
 * }
 * }</pre>
 */
public interface FeatureStoreClient extends AutoCloseable {

  /** A client of the server at {@code host:port} with default options, owning its own Vert.x instance. */
  static FeatureStoreClient connect(String host, int port) {
    return create(FeatureStoreClientOptions.builder(host, port).build());
  }

  /** A client with the given options. No connection is made until the first call. */
  static FeatureStoreClient create(FeatureStoreClientOptions options) {
    return GrpcFeatureStoreClient.create(options);
  }

  /** What applying {@code definitions} would change and what it would refuse. Nothing is written. */
  CompletionStage<DefinitionsPlan> plan(Definitions definitions);

  /**
   * Makes the registry hold exactly {@code definitions} (objects left out are removed), all or nothing. Fails with
   * {@link IncompatibleChangeException} naming each refused change.
   */
  CompletionStage<ApplyOutcome> apply(Definitions definitions);

  /**
   * Like {@link #apply(Definitions)}, but only if the registry is still at {@code expectedVersion} (for example
   * the {@link DefinitionsPlan#baseVersion()} of a reviewed plan); otherwise {@link IncompatibleChangeException}.
   */
  CompletionStage<ApplyOutcome> apply(Definitions definitions, long expectedVersion);

  /** The registry's current definitions and version. */
  CompletionStage<VersionedDefinitions> definitions();

  /** The definitions of one registry version; {@link NotFoundException} when there is no such version. */
  CompletionStage<VersionedDefinitions> definitions(long version);

  /** The latest values of the requested features for each entity row. */
  CompletionStage<OnlineResponse> getOnlineFeatures(OnlineRequest request);

  /**
   * Scores entity rows with a model or through an experiment on the server's inference endpoint: the server fetches
   * the model's features itself. {@link NotFoundException} for an unknown model, version or experiment,
   * {@link InvalidRequestException} naming the row and key for missing or mistyped keys.
   */
  CompletionStage<Predictions> predict(PredictionRequest request);

  /**
   * Writes rows to the online tier of {@code featureView}, event time wins; completes with the number of rows
   * written. Values are converted to the view's types here, using the registry's definitions (read once and kept
   * until this client applies new definitions or meets a view it does not know), so that a mistyped value fails
   * before anything is sent, naming the row and feature. The server validates the whole request before writing.
   */
  CompletionStage<Long> push(String featureView, List<PushRow> rows);

  /** The same client as blocking calls that time out after {@link FeatureStoreClientOptions#timeout()}. */
  BlockingFeatureStoreClient blocking();

  /** Closes the connections and, when the client owns it, its Vert.x instance. Calls in flight fail. */
  CompletionStage<Void> closeAsync();

  /** Closes like {@link #closeAsync()} and waits up to the timeout for it, unless called on an event loop. */
  @Override
  void close();
}
