package dev.featurestore.sdk;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.UnavailableException;
import io.vertx.core.Context;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Blocking calls derived from the asynchronous client: wait, and on timeout or interrupt cancel the call. */
final class BlockingClient implements BlockingFeatureStoreClient {
  private final FeatureStoreClient async;
  private final Duration timeout;

  BlockingClient(FeatureStoreClient async, Duration timeout) {
    this.async = Objects.requireNonNull(async, "async");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidRequestException("Cannot use timeout " + timeout + ": it must be positive");
    }
    this.timeout = timeout;
  }

  @Override
  public DefinitionsPlan plan(Definitions definitions) {
    return await("plan definitions", () -> async.plan(definitions));
  }

  @Override
  public ApplyOutcome apply(Definitions definitions) {
    return await("apply definitions", () -> async.apply(definitions));
  }

  @Override
  public ApplyOutcome apply(Definitions definitions, long expectedVersion) {
    return await("apply definitions", () -> async.apply(definitions, expectedVersion));
  }

  @Override
  public VersionedDefinitions definitions() {
    return await("read definitions", async::definitions);
  }

  @Override
  public VersionedDefinitions definitions(long version) {
    return await("read definitions", () -> async.definitions(version));
  }

  @Override
  public OnlineResponse getOnlineFeatures(OnlineRequest request) {
    return await("get online features", () -> async.getOnlineFeatures(request));
  }

  @Override
  public Predictions predict(PredictionRequest request) {
    return await("predict", () -> async.predict(request));
  }

  @Override
  public long push(String featureView, List<PushRow> rows) {
    return await("push to feature view '" + featureView + "'", () -> async.push(featureView, rows));
  }

  @Override
  public FeatureStoreClient async() {
    return async;
  }

  @Override
  public void close() {
    async.close();
  }

  private <T> T await(String action, Supplier<CompletionStage<T>> call) {
    if (Context.isOnEventLoopThread()) {
      throw new FeatureStoreException("Cannot " + action
          + ": a blocking call would stall the Vert.x event loop it is made on; use FeatureStoreClient");
    }
    CompletableFuture<T> future = call.get().toCompletableFuture();
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new UnavailableException("Cannot " + action + ": no answer within " + timeout + "; the call was cancelled", e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new FeatureStoreException("Cannot " + action + ": interrupted while waiting; the call was cancelled", e);
    } catch (ExecutionException e) {
      throw ClientErrors.translate(action, String.valueOf(async), e.getCause(), null);
    }
  }
}
